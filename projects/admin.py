"""The admin's view of projects' public comments. The office moderates them in the
console (留言审核, ``console/moderation_views.py``); the admin's two actions stay for
administrators and go through the same domain action, so who and when are recorded."""

from django.contrib import admin, messages

from lib.errors import ActionError

from . import public_actions
from .models import CommentState, PublicComment


def _moderate(approve: bool):
    def action(modeladmin, request, queryset):
        done = 0
        for comment in queryset.filter(state=CommentState.PENDING):
            try:
                public_actions.moderate(request.user, comment, approve)
            except ActionError as error:
                modeladmin.message_user(request, error.message, messages.ERROR)
                return
            done += 1
        modeladmin.message_user(request, f"已处理 {done} 条留言。")
    action.short_description = "通过并公开" if approve else "不予公开"
    action.__name__ = "approve" if approve else "reject"
    return action


@admin.register(PublicComment)
class PublicCommentAdmin(admin.ModelAdmin):
    list_display = ("text", "name", "project", "commitment", "state", "created_at")
    list_filter = ("state",)
    readonly_fields = ("project", "commitment", "name", "phone", "text", "state",
                       "moderated_by", "moderated_at", "reject_reason", "created_at")
    actions = [_moderate(True), _moderate(False)]

    def has_add_permission(self, request):
        return False
