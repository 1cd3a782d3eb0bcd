"""The admin's view of records and targets: read only. Records are written, corrected and
deleted in the console (活动记录) and targets set there (目标任务), through
``activities.actions``, so that every change is validated and logged the same way."""

from django.contrib import admin

from .models import Activity, ActivityFile, ActivityPhoto, Target


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PhotoInline(admin.TabularInline):
    model = ActivityPhoto
    extra = 0
    fields = ("thumb", "width", "height")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FileInline(admin.TabularInline):
    model = ActivityFile
    extra = 0
    fields = ("name", "content_type", "size")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnly):
    list_display = ("occurred_on", "kind", "unit", "summary", "created_by", "created_at")
    list_filter = ("kind", "campaign")
    search_fields = ("summary", "visited", "place")
    date_hierarchy = "occurred_on"
    list_select_related = ("unit", "created_by")
    filter_horizontal = ("people",)
    inlines = [PhotoInline, FileInline]


@admin.register(Target)
class TargetAdmin(ReadOnly):
    list_display = ("label", "campaign", "kind", "count", "subject", "period_start",
                    "period_end")
    list_filter = ("campaign", "kind", "subject")
    search_fields = ("label",)
