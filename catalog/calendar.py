"""The working calendar the deadlines use: the ``CalendarDay`` table plus the configured
working periods.

Each process keeps the calendar it built, tagged with the calendar's *version* in the
shared cache (``lib.shared``). A change to the table, in any process, writes a new
version once its transaction commits (``catalog.receivers``); every process compares its
tag with the shared version at most every ``CHECK_SECONDS`` and rebuilds when they
differ. So a holiday edited in the admin reaches every web and worker process within
seconds, not at their next restart.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from lib.shared import SharedBuild
from lib.workcal import WorkingCalendar

from .models import CalendarDay, DayKind

VERSION_KEY = "sanmanyi:workcal:version"
CHECK_SECONDS = 2.0  # how long a process may use its calendar before asking again


HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def shared_version() -> str:
    """The calendar's version every process agrees on (made on first use)."""
    return _shared.version()


def _build() -> WorkingCalendar:
    rows = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkingCalendar.build(
        holidays=[day for day, kind in rows if kind == DayKind.HOLIDAY],
        make_up_days=[day for day, kind in rows if kind == DayKind.WORKDAY],
        periods=settings.WORKING_PERIODS,
        tz=ZoneInfo(settings.TIME_ZONE),
    )


_shared = SharedBuild(VERSION_KEY, lambda: _build(), CHECK_SECONDS)


def current() -> WorkingCalendar:
    """This process's calendar, rebuilt when another process has changed the table."""
    return _shared.current()


def changed() -> None:
    """The table changed: once the transaction commits, every process's calendar is
    stale (a new shared version), this one's at once."""
    _shared.changed()


def forget() -> None:
    """Drop this process's calendar (the next use rebuilds it)."""
    _shared.forget()


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
    changed()
    return len(rows)
