"""Changes to the organisation's public face: away-from-post notices (离岗告示)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lib.errors import ActionError

from . import access
from .models import AwayNotice, StaffProfile

MAX_AWAY_HOURS = 24 * 14


@transaction.atomic
def post_away(actor, staff: StaffProfile, destination: str, until, covered_by=None,
              at=None) -> AwayNotice:
    """The person themself, or whoever may edit their profile (their unit head, the
    office), posts where they went and until when; an earlier open notice ends."""
    at = at or timezone.now()
    if not access.can(actor, "org.edit_staff", staff):
        raise ActionError("forbidden", "您不能为该工作人员发布离岗告示。")
    destination = (destination or "").strip()
    if not destination:
        raise ActionError("invalid", "请填写去向或事由。", "destination")
    if len(destination) > 100:
        raise ActionError("invalid", "去向或事由不能超过 100 字。", "destination")
    if until is None or until <= at:
        raise ActionError("invalid", "预计返回时间必须晚于现在。", "until")
    if (until - at).total_seconds() > MAX_AWAY_HOURS * 3600:
        raise ActionError("invalid", "离岗告示最长 14 天；长期外出请调整岗位。", "until")
    if covered_by is not None and (covered_by.pk == staff.pk or not covered_by.user.is_active):
        raise ActionError("invalid", "代岗人员须是另一位在岗人员。", "covered_by")
    AwayNotice.objects.filter(staff=staff, ended_at__isnull=True, until__gt=at) \
        .update(ended_at=at)
    return AwayNotice.objects.create(staff=staff, destination=destination, starts_at=at,
                                     until=until, covered_by=covered_by, posted_by=actor)


@transaction.atomic
def end_away(actor, notice: AwayNotice, at=None) -> AwayNotice:
    at = at or timezone.now()
    notice = AwayNotice.objects.select_for_update().get(pk=notice.pk)
    if not access.can(actor, "org.edit_staff", notice.staff):
        raise ActionError("forbidden", "您不能结束该离岗告示。")
    if notice.ended_at is None:
        notice.ended_at = at
        notice.save(update_fields=["ended_at"])
    return notice


def current_away(units, at=None):
    """Notices in force now for staff of ``units`` (a queryset or list of units)."""
    at = at or timezone.now()
    return AwayNotice.objects.filter(staff__unit__in=units, ended_at__isnull=True,
                                     starts_at__lte=at, until__gt=at) \
        .select_related("staff", "covered_by")
