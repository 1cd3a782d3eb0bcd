from django.contrib import admin

from .models import (
    Campaign,
    CampaignDocument,
    Filing,
    FilingAttachment,
    FilingVersion,
    LeadingGroupMember,
    Phase,
    Reminder,
    Requirement,
)


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class LeadingGroupInline(admin.TabularInline):
    model = LeadingGroupMember
    extra = 0
    autocomplete_fields = ["user"]


class DocumentInline(admin.TabularInline):
    model = CampaignDocument
    extra = 0
    fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # uploaded through the console (checked by content, kept as versions)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "starts_on", "ends_on", "office_unit", "copied_from"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["office_unit", "participants"]
    readonly_fields = ["copied_from"]
    inlines = [PhaseInline, LeadingGroupInline, DocumentInline]


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "order", "starts_on", "ends_on"]
    list_filter = ["campaign"]
    inlines = [RequirementInline]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "phase", "due_on", "due_day"]
    list_filter = ["kind", "phase__campaign"]


class VersionInline(admin.TabularInline):
    """Versions are never changed: shown, not edited."""

    model = FilingVersion
    fk_name = "filing"
    extra = 0
    fields = ["number", "filed_by", "filed_at", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    """Filings are made by the units in the console; the admin reads them."""

    list_display = ["unit", "requirement", "period", "due_on", "first_filed_at", "late"]
    list_filter = ["late", "requirement__phase__campaign", "requirement__kind"]
    search_fields = ["unit__name", "requirement__title"]
    readonly_fields = ["requirement", "unit", "period", "due_on", "first_filed_at", "late",
                       "current"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(FilingVersion)
class FilingVersionAdmin(admin.ModelAdmin):
    list_display = ["filing", "number", "filed_by", "filed_at"]
    readonly_fields = [f.name for f in FilingVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FilingAttachment)
class FilingAttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "content_type", "size"]
    readonly_fields = ["version", "file", "name", "content_type", "size"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["unit", "requirement", "period", "sent_at", "sent_by"]
    list_filter = ["requirement__phase__campaign"]
    readonly_fields = ["requirement", "unit", "period", "sent_at", "sent_by"]

    def has_add_permission(self, request):
        return False
