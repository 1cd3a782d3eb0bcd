from django.contrib import admin

from .models import Campaign, LeadingGroupMember, Phase, ProjectDraft


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


@admin.register(ProjectDraft)
class ProjectDraftAdmin(admin.ModelAdmin):
    list_display = ["title", "keywords_label", "created_by", "created_at"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    raw_id_fields = ["demands"]
    readonly_fields = ["created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # drafts come from hotspots (campaigns.actions), with their creator
