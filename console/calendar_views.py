"""The campaign calendar (phases, filing deadlines, targets' pace, activities recorded per
month) and each person's deadlines as an iCalendar feed. Each view: permission →
validate → read model → respond."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from activities import calendar
from campaigns.models import Campaign
from campaigns.queries import latest_campaign
from org import access


def _month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 - a month
    except ValueError:
        return None


@login_required
def campaign_calendar(request):
    if not access.can_anywhere(request.user, "campaign.view"):
        raise PermissionDenied
    code = request.GET.get("campaign")
    campaign = (Campaign.objects.filter(code=code).first() if code else None) \
        or latest_campaign()
    if campaign is None:
        return render(request, "console/calendar.html", {"month": None})
    if code and campaign.code != code:
        messages.warning(request, _t("没有找到该创建活动，已显示当前活动。"))
    today = timezone.localdate()
    first = _month(request.GET.get("month"))
    if request.GET.get("month") and first is None:
        messages.warning(request, _t("月份格式应为“年-月”，如 2026-07，已显示默认月份。"))
    if first is None:
        first = calendar.default_month(campaign, today)
    elif not calendar.month_start(campaign.starts_on) <= first <= campaign.ends_on:
        messages.warning(request, _t("该月份不在活动期间内，已显示活动期间内最近的月份。"))
        first = calendar.default_month(campaign, first)
    feed = request.build_absolute_uri(
        reverse("console:calendar_ics", args=[calendar.feed_token(request.user)]))
    return render(request, "console/calendar.html", {
        "month": calendar.month(campaign, first, request.user, today),
        "campaigns": Campaign.objects.only("code", "name", "starts_on"),
        "feed_url": feed,
        "weekdays": calendar.WEEKDAYS,
    })


def calendar_ics(request, token: str):
    """No session: a calendar application fetches it with the secret address."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar.ics(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sanmanyi-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
