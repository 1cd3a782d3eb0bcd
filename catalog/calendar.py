"""The working calendar the deadlines use: the ``CalendarDay`` table plus the configured
working periods, cached in-process and rebuilt whenever the table changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lib.workcal import WorkingCalendar

from .models import CalendarDay, DayKind

_cached: WorkingCalendar | None = None

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def current() -> WorkingCalendar:
    global _cached
    if _cached is None:
        rows = list(CalendarDay.objects.values_list("date", "kind"))
        _cached = WorkingCalendar.build(
            holidays=[day for day, kind in rows if kind == DayKind.HOLIDAY],
            make_up_days=[day for day, kind in rows if kind == DayKind.WORKDAY],
            periods=settings.WORKING_PERIODS,
            tz=ZoneInfo(settings.TIME_ZONE),
        )
    return _cached


def forget() -> None:
    global _cached
    _cached = None


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(**kwargs):
    forget()


def sync_from_package(model=CalendarDay, since: dt.date | None = None) -> int:
    """Copy the holidays and make-up days the ``chinese-calendar`` package knows into the
    table; rows already there (perhaps edited by an administrator) are left alone.
    Returns the number of rows added."""
    import chinese_calendar

    existing = set(model.objects.values_list("date", flat=True))
    rows = []
    for source, kind in ((chinese_calendar.holidays, DayKind.HOLIDAY),
                         (chinese_calendar.workdays, DayKind.WORKDAY)):
        for day, holiday in source.items():
            if day in existing or (since and day < since):
                continue
            label = HOLIDAY_NAMES.get(str(holiday), "")
            if kind == DayKind.WORKDAY and label:
                label += "调休"
            rows.append(model(date=day, kind=kind, name=label[:30]))
    model.objects.bulk_create(rows)
    forget()
    return len(rows)
