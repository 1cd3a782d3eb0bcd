from django.contrib import admin

from .models import CalendarDay, Category


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
