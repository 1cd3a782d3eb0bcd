"""What the public does to projects and commitments — comment (held for moderation) and
rate a completed project (请群众评判) — and the moderation of comments. The portal applies
the rate limits (``portal/limits.py``) before calling these."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from demands.models import Level
from lib import phones
from lib.errors import ActionError, clean_text
from org import access

from .actions import moment
from .models import (
    PUBLIC_STATES,
    CommentState,
    Commitment,
    CommitmentState,
    Project,
    ProjectRating,
    ProjectState,
    PublicComment,
)

COMMENT_LIMIT = 500


def _phone(phone: str) -> str:
    phone = (phone or "").strip()
    if not phone:
        raise ActionError("invalid", "请填写手机号。", "phone")
    if not phones.is_mobile(phone):
        raise ActionError("invalid", "请填写正确的 11 位手机号。", "phone")
    return phones.digits(phone)


@transaction.atomic
def comment(target: Project | Commitment, name: str, phone: str, text: str,
            at=None) -> PublicComment:
    """A citizen's comment, 待审核 until a moderator approves it."""
    at = moment(at)
    if isinstance(target, Project):
        if target.state not in PUBLIC_STATES or target.state == ProjectState.CANCELLED:
            raise ActionError("wrong_state", "该项目不接受留言。")
        where = {"project": target}
    else:
        if target.state != CommitmentState.OPEN and target.state != CommitmentState.FULFILLED:
            raise ActionError("wrong_state", "该承诺不接受留言。")
        where = {"commitment": target}
    return PublicComment.objects.create(
        **where, name=clean_text(name, "称呼", limit=20, field_name="name"),
        phone=_phone(phone),
        text=clean_text(text, "留言内容", limit=COMMENT_LIMIT, field_name="text"),
        created_at=at)


def _moderated_by(comment: PublicComment) -> str:
    """“由孙主任于 2026-12-01 10:00 ” — who moderated a comment and when, for a refusal."""
    who = comment.moderated_by
    name = (getattr(getattr(who, "staff", None), "full_name", "") or who.get_username()) \
        if who is not None else ""
    when = timezone.localtime(comment.moderated_at).strftime("%Y-%m-%d %H:%M") \
        if comment.moderated_at else ""
    return (f"由{name}" if name else "") + (f"于 {when} " if when else "")


@transaction.atomic
def moderate(actor, comment: PublicComment, approve: bool, reason: str = "",
             at=None) -> PublicComment:
    at = moment(at)
    if not access.can_anywhere(actor, "project.moderate"):
        raise ActionError("forbidden", "您没有审核留言的权限。")
    comment = PublicComment.objects.select_for_update().get(pk=comment.pk)
    if comment.state != CommentState.PENDING:
        raise ActionError("wrong_state", f"该留言已{_moderated_by(comment)}审核，结果为"
                                         f"“{comment.get_state_display()}”，不能重复审核。")
    comment.state = CommentState.APPROVED if approve else CommentState.REJECTED
    comment.reject_reason = "" if approve else clean_text(
        reason, "未通过原因", required=False, limit=200, field_name="reason")
    comment.moderated_by, comment.moderated_at = actor, at
    comment.save()
    return comment


def rate(project: Project, phone: str, level, at=None) -> ProjectRating:
    """One rating per phone for a completed project."""
    at = moment(at)
    if project.state != ProjectState.DONE:
        raise ActionError("wrong_state", "项目完成后才能评价。")
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = None
    if level not in Level.values:
        raise ActionError("invalid", "请选择评价等级。", "level")
    phone = _phone(phone)
    try:
        with transaction.atomic():
            return ProjectRating.objects.create(project=project, level=level, phone=phone,
                                                created_at=at)
    except IntegrityError:
        raise ActionError("conflict", "这个手机号已经评价过该项目，每个号码只能评价一次。",
                          "phone") from None
