"""Deadline arithmetic over China's statutory holidays and make-up working days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.workcal import WorkingCalendar, parse_periods

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar.build(holidays=chinese_calendar.holidays.keys(),
                            make_up_days=chinese_calendar.workdays.keys())


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


# hypothesis wants naive bounds and attaches the zone itself
moments = st.datetimes(min_value=dt.datetime(2025, 12, 1),  # noqa: DTZ001
                       max_value=dt.datetime(2026, 12, 31),  # noqa: DTZ001
                       timezones=st.just(TZ))
hours = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda h: round(h, 2))
days = st.integers(min_value=0, max_value=60)


class TestTheAutumnOf2026:
    def test_five_working_days_across_national_day_and_the_make_up_saturday(self):
        assert CAL.add_days(at("2026-09-30 10:00"), 5) == at("2026-10-13 10:00")

    def test_the_make_up_saturday_is_a_working_day(self):
        assert CAL.is_working_day(dt.date(2026, 10, 10))
        assert CAL.add_hours(at("2026-10-09 17:00"), 1) == at("2026-10-10 09:00")

    def test_the_make_up_sunday_before_mid_autumn(self):
        assert CAL.add_hours(at("2026-09-19 10:00"), 1) == at("2026-09-20 09:30")

    def test_hours_jump_over_the_golden_week(self):
        assert CAL.add_hours(at("2026-09-30 16:30"), 2) == at("2026-10-08 09:30")

    def test_mid_autumn_friday_and_the_weekend_are_skipped(self):
        for day in (25, 26, 27):
            assert not CAL.is_working_day(dt.date(2026, 9, day))
        assert CAL.add_days(at("2026-09-24 17:00"), 1) == at("2026-09-28 17:00")

    def test_a_demand_received_during_the_holiday_starts_the_clock_after_it(self):
        assert CAL.next_working_moment(at("2026-10-03 11:00")) == at("2026-10-08 08:30")
        assert CAL.add_hours(at("2026-10-03 11:00"), 4) == at("2026-10-08 14:00")


def test_lunch_break_and_evenings_are_not_working_time():
    assert not CAL.is_working_moment(at("2026-11-26 12:30"))
    assert CAL.next_working_moment(at("2026-11-26 12:30")) == at("2026-11-26 13:30")
    assert CAL.next_working_moment(at("2026-11-26 19:00")) == at("2026-11-27 08:30")
    assert CAL.working_hours_between(at("2026-11-26 08:30"), at("2026-11-26 17:30")) == 7.5


def test_periods_parse_strictly():
    assert parse_periods("09:00-12:00, 14:00-18:00")[1] == (dt.time(14), dt.time(18))
    for bad in ("9-12", "12:00-09:00", "08:00-12:00,11:00-14:00", ""):
        with pytest.raises(ValueError):
            parse_periods(bad)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        CAL.add_hours(dt.datetime(2026, 1, 5, 9), 1)  # noqa: DTZ001 - the point of the test


@settings(max_examples=300)
@given(moments, hours)
def test_an_hours_deadline_is_a_working_moment_exactly_that_many_hours_away(start, h):
    deadline = CAL.add_hours(start, h)
    assert CAL.is_working_moment(deadline)
    assert CAL.working_hours_between(start, deadline) == pytest.approx(h, abs=1e-6)


@settings(max_examples=300)
@given(moments, days)
def test_a_days_deadline_is_a_working_moment(start, n):
    deadline = CAL.add_days(start, n)
    assert CAL.is_working_moment(deadline)
    assert deadline >= start


@given(moments, moments, hours)
def test_a_later_start_never_gives_an_earlier_deadline(a, b, h):
    early, late = sorted((a, b))
    assert CAL.add_hours(early, h) <= CAL.add_hours(late, h)


@given(moments, moments, days)
def test_a_later_start_never_gives_an_earlier_day_deadline(a, b, n):
    early, late = sorted((a, b))
    assert CAL.add_days(early, n) <= CAL.add_days(late, n)


@given(moments, hours, hours)
def test_a_longer_limit_never_gives_an_earlier_deadline(start, h1, h2):
    small, large = sorted((h1, h2))
    assert CAL.add_hours(start, small) <= CAL.add_hours(start, large)


@given(moments, days, days)
def test_more_days_never_give_an_earlier_deadline(start, n1, n2):
    small, large = sorted((n1, n2))
    assert CAL.add_days(start, small) <= CAL.add_days(start, large)


@settings(max_examples=300)
@given(moments, hours)
def test_walking_back_covers_exactly_the_hours(moment, h):
    end = CAL.next_working_moment(moment)
    start = CAL.subtract_hours(end, h)
    assert CAL.is_working_moment(start)
    assert CAL.working_hours_between(start, end) == pytest.approx(h, abs=1e-6)
