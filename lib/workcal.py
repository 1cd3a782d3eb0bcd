"""Working-time arithmetic for committed time limits (承诺时限). Pure functions, no models.

A *working moment* is a time inside one of the day's working periods (ends included) on a
working day. A working day is a weekday that is not a statutory holiday, or a weekend day
declared a make-up working day (调休上班).

* ``add_hours(start, h)`` consumes ``h`` hours of working time from ``start``.
* ``add_days(start, n)`` gives the same clock time ``n`` working days later — the usual
  reading of "n 个工作日内办结" — after moving ``start`` to a working moment.
* ``subtract_hours(end, h)`` walks back ``h`` working hours (for warning times).

Times are aware datetimes; arithmetic happens in the calendar's time zone (China has no
daylight saving, so local wall-clock arithmetic is exact).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Period = tuple[dt.time, dt.time]
DEFAULT_PERIODS: tuple[Period, ...] = ((dt.time(8, 30), dt.time(12, 0)),
                                       (dt.time(13, 30), dt.time(17, 30)))
MAX_SCAN_DAYS = 3660  # a calendar with no working day in ten years is a configuration error


def parse_periods(text: str) -> tuple[Period, ...]:
    """``"08:30-12:00,13:30-17:30"`` → periods; raises ValueError on anything malformed,
    overlapping or out of order."""
    periods: list[Period] = []
    for chunk in text.split(","):
        try:
            start_text, end_text = chunk.strip().split("-")
            start = dt.time.fromisoformat(start_text.strip())
            end = dt.time.fromisoformat(end_text.strip())
        except ValueError:
            raise ValueError(f"expected periods like 08:30-12:00,13:30-17:30; got {text!r}") \
                from None
        if start >= end:
            raise ValueError(f"a working period must end after it starts: {chunk.strip()!r}")
        if periods and start < periods[-1][1]:
            raise ValueError(f"working periods must be in order and not overlap: {text!r}")
        periods.append((start, end))
    return tuple(periods)


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    make_up_days: frozenset[dt.date] = field(default_factory=frozenset)
    periods: tuple[Period, ...] = DEFAULT_PERIODS
    tz: dt.tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    @classmethod
    def build(cls, holidays: Iterable[dt.date] = (), make_up_days: Iterable[dt.date] = (),
              periods: tuple[Period, ...] = DEFAULT_PERIODS, tz: dt.tzinfo | None = None):
        return cls(frozenset(holidays), frozenset(make_up_days), periods,
                   tz or ZoneInfo("Asia/Shanghai"))

    # --- days -----------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        for _ in range(MAX_SCAN_DAYS):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day within ten years: check the calendar")

    def previous_working_day(self, day: dt.date) -> dt.date:
        for _ in range(MAX_SCAN_DAYS):
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day within ten years: check the calendar")

    # --- moments --------------------------------------------------------------------
    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("working-time arithmetic needs an aware datetime")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, naive: dt.datetime) -> dt.datetime:
        return naive.replace(tzinfo=self.tz)

    def is_working_moment(self, moment: dt.datetime) -> bool:
        local = self._local(moment)
        return self.is_working_day(local.date()) and any(
            start <= local.time() <= end for start, end in self.periods)

    def _next_working_local(self, local: dt.datetime) -> dt.datetime:
        day = local.date()
        if self.is_working_day(day):
            for start, end in self.periods:
                if local.time() <= end:
                    return max(local, dt.datetime.combine(day, start))
        day = self.next_working_day(day)
        return dt.datetime.combine(day, self.periods[0][0])

    def next_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` itself if it is a working moment, else the start of the next period."""
        return self._aware(self._next_working_local(self._local(moment)))

    # --- limits ---------------------------------------------------------------------
    def add_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        if hours < 0:
            raise ValueError("hours must not be negative")
        local = self._next_working_local(self._local(start))
        remaining = dt.timedelta(hours=hours)
        while True:
            day = local.date()
            for period_start, period_end in self.periods:
                begin = dt.datetime.combine(day, period_start)
                finish = dt.datetime.combine(day, period_end)
                if local > finish:
                    continue
                local = max(local, begin)
                available = finish - local
                if remaining <= available:
                    return self._aware(local + remaining)
                remaining -= available
                local = finish
            local = dt.datetime.combine(self.next_working_day(day), self.periods[0][0])

    def subtract_hours(self, end: dt.datetime, hours: float) -> dt.datetime:
        """The latest working moment from which ``hours`` working hours reach ``end``
        (``end`` itself, moved back to a working moment, when ``hours`` is 0)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        local = self._local(end)
        remaining = dt.timedelta(hours=hours)
        day = local.date()
        if not self.is_working_day(day):
            day = self.previous_working_day(day)
            local = dt.datetime.combine(day, self.periods[-1][1])
        while True:
            for period_start, period_end in reversed(self.periods):
                begin = dt.datetime.combine(day, period_start)
                finish = dt.datetime.combine(day, period_end)
                if local < begin:
                    continue
                local = min(local, finish)
                available = local - begin
                if remaining <= available:
                    return self._aware(local - remaining)
                remaining -= available
                local = begin
            day = self.previous_working_day(day)
            local = dt.datetime.combine(day, self.periods[-1][1])

    def add_days(self, start: dt.datetime, days: int) -> dt.datetime:
        if days < 0:
            raise ValueError("days must not be negative")
        local = self._next_working_local(self._local(start))
        day = local.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self._aware(dt.datetime.combine(day, local.time()))

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working hours from ``start`` to ``end`` (0 if ``end`` is not later)."""
        a, b = self._local(start), self._local(end)
        if b <= a:
            return 0.0
        total = dt.timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for period_start, period_end in self.periods:
                    begin = max(a, dt.datetime.combine(day, period_start))
                    finish = min(b, dt.datetime.combine(day, period_end))
                    if finish > begin:
                        total += finish - begin
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600
