from django.contrib import admin

from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "industry", "contact_name", "is_active"]
    list_filter = ["is_active", "industry"]
    search_fields = ["name", "short_name", "credit_code"]
