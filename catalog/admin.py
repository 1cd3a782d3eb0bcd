from django.contrib import admin

from .models import CalendarDay, Category, NoticeIssue, ServiceItem


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "code", "time_limit", "time_limit_unit", "warning_hours",
                    "urgency", "default_unit", "is_active")
    list_filter = ("parent", "time_limit_unit", "urgency", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("parent", "default_unit")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "time_limit", "window", "is_active")
    list_filter = ("unit", "is_active")
    search_fields = ("name", "summary")


@admin.register(NoticeIssue)
class NoticeIssueAdmin(admin.ModelAdmin):
    list_display = ("number", "item", "requester_name", "issued_by", "issued_at")
    search_fields = ("number", "requester_name")
    readonly_fields = ("number", "item", "requester_name", "requester_phone", "note",
                       "issued_by", "issued_at")

    def has_add_permission(self, request):
        return False  # issued from the console, where the issuance is the record
