"""The orders' one clock: the default deadline (反馈期限) of a new order, in working time.

Whether an order is overdue is the queryset's ``overdue(now)`` (``supervision.models``);
the sweep, the list, the home page and the leaders' figures all ask there.
"""

from __future__ import annotations

import datetime as dt

from catalog import calendar

DEFAULT_WORKING_DAYS = 3


def default_deadline(at: dt.datetime) -> dt.datetime:
    """Three working days after ``at``, at the same clock time (holidays and 调休 make-up
    days counted as the demands' clock counts them)."""
    return calendar.current().add_days(at, DEFAULT_WORKING_DAYS)


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline given as a day: the end of that day's last working period (17:30)."""
    cal = calendar.current()
    return dt.datetime.combine(day, cal.periods[-1][1]).replace(tzinfo=cal.tz)
