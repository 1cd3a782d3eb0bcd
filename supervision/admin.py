"""Supervision orders in the admin: for reading. Orders change only through
``supervision.actions`` (the console's pages), so nothing here edits them."""

from django.contrib import admin

from .models import OrderAnswer, OrderEvent, SupervisionOrder


class ReadOnly(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnly):
    model = OrderAnswer
    fields = ("round", "text", "answered_by", "answered_at")


class EventInline(ReadOnly):
    model = OrderEvent
    fields = ("at", "kind", "actor", "from_state", "to_state", "reason")


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "unit", "subject_kind", "state", "deadline", "overdue",
                    "escalated_at")
    list_filter = ("state", "subject_kind", "overdue")
    search_fields = ("number", "title")
    list_select_related = ("unit",)
    inlines = (AnswerInline, EventInline)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
