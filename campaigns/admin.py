from django.contrib import admin

from .models import Campaign, LeadingGroupMember, Phase


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class LeadingGroupInline(admin.TabularInline):
    model = LeadingGroupMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "office_unit"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["office_unit"]
    inlines = [PhaseInline, LeadingGroupInline]

