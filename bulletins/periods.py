"""The period a new bulletin covers by default, and its default title: last week (Monday
to Sunday), last month, or a phase of the current campaign."""

from __future__ import annotations

import datetime as dt

from campaigns.models import Phase
from campaigns.queries import latest_campaign

from .models import Kind


def last_week(today: dt.date) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return monday, monday + dt.timedelta(days=6)


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def phases() -> list[Phase]:
    """The phases of the current campaign (``campaigns.queries.latest_campaign``)."""
    campaign = latest_campaign()
    if campaign is None:
        return []
    return list(campaign.phases.order_by("order").select_related("campaign"))


def current_phase(today: dt.date, choices: list[Phase]) -> Phase | None:
    """The phase under way, else the last one that has started, else the first."""
    started = [phase for phase in choices if phase.starts_on <= today]
    for phase in started:
        if phase.ends_on >= today:
            return phase
    return started[-1] if started else (choices[0] if choices else None)


def default_period(kind: str, today: dt.date, phase: Phase | None = None
                   ) -> tuple[dt.date, dt.date] | None:
    """(start, end) for a kind; a phase's period ends today at the latest (the days to
    come have no figures yet). ``None`` for a phase bulletin without a phase."""
    if kind == Kind.WEEKLY:
        return last_week(today)
    if kind == Kind.MONTHLY:
        return last_month(today)
    if phase is None:
        return None
    return phase.starts_on, min(phase.ends_on, max(today, phase.starts_on))


def default_title(kind: str, start: dt.date, end: dt.date, phase: Phase | None = None) -> str:
    if kind == Kind.WEEKLY:
        year, week, _day = start.isocalendar()
        return f"关于{year}年第{week}周“三满意”工作情况的通报"
    if kind == Kind.MONTHLY and start.day == 1 and (end + dt.timedelta(days=1)).day == 1 \
            and (start.year, start.month) == (end.year, end.month):
        return f"关于{start.year}年{start.month}月“三满意”工作情况的通报"
    if kind == Kind.PHASE and phase is not None:
        return f"关于“三满意”活动{phase.name}阶段工作情况的通报"
    return f"关于{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日" \
           "“三满意”工作情况的通报"
