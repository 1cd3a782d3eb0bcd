from django.contrib import admin

from .models import Enterprise, Pairing, PairingGoal, Secondment


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "industry", "contact_name", "is_active"]
    list_filter = ["is_active", "industry"]
    search_fields = ["name", "short_name", "credit_code"]


class PairingGoalInline(admin.TabularInline):
    model = PairingGoal
    extra = 0
    fields = ["title", "due_on", "done_on", "evidence"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["year", "enterprise", "unit", "updated_at"]
    list_filter = ["year"]
    search_fields = ["enterprise__name", "unit__name"]
    autocomplete_fields = ["enterprise"]
    filter_horizontal = ["cadres"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PairingGoalInline]

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        now = timezone.now()
        if obj.created_at is None:
            obj.created_at = now
        obj.updated_at = now
        super().save_model(request, obj, form, change)


@admin.register(Secondment)
class SecondmentAdmin(admin.ModelAdmin):
    list_display = ["cadre", "enterprise", "project_name", "starts_on", "ends_on"]
    list_filter = ["starts_on"]
    search_fields = ["enterprise__name", "project_name", "cadre__staff__full_name"]
    autocomplete_fields = ["enterprise"]
    raw_id_fields = ["cadre"]
