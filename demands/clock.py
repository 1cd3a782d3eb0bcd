"""The one clock of the service loop: committed deadlines in working time, their
extension, and when a running clock warns.

Every deadline a demand carries comes from here — at receipt, at a 差评整改, at an
approved extension — so they all follow one rule:

* the deadline is the category's time limit in working time from the clock's start
  (``catalog.calendar``: holidays and 调休 make-up days, the configured working hours);
* an extension adds whole working days to the deadline it extends;
* the warning moment is the category's ``warning_hours`` of working time before the
  deadline, never before the first working moment of the clock, never after the deadline;
* a demand without a category (待分类) runs on ``UNCATEGORISED_TIME_LIMIT_DAYS`` and
  ``UNCATEGORISED_WARNING_HOURS`` until it is classified; ``reclassified`` then puts the
  category's own clock in its place, from the same start.

Which demands are overdue or in warning *now* is a question for the queryset
(``Demand.objects.overdue(now)``, ``.warning(now)``) and ``Demand.sla_state(now)``, both
in ``demands.models`` beside the fields they read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from catalog import calendar
from catalog.models import Category, LimitUnit

from .models import CLOCK_STATES, Demand, SlaFlag, State


@dataclass(frozen=True)
class Window:
    """A running clock's deadline and the moment it turns yellow."""

    deadline: dt.datetime
    warn_at: dt.datetime


@dataclass(frozen=True)
class Limit:
    """A committed time limit: so many working days or hours, warning so many working
    hours before."""

    amount: int
    unit: str
    warning_hours: int


def limit(category: Category | None) -> Limit:
    """The category's committed time limit; the configured default for 待分类."""
    if category is None:
        return Limit(settings.UNCATEGORISED_TIME_LIMIT_DAYS, LimitUnit.DAYS,
                     settings.UNCATEGORISED_WARNING_HOURS)
    return Limit(category.time_limit, category.time_limit_unit, category.warning_hours)


def default_limit_label() -> str:
    """The 待分类 time limit as the pages print a category's (``5 工作日``)."""
    return f"{settings.UNCATEGORISED_TIME_LIMIT_DAYS} {LimitUnit.DAYS.label}"


def _window(category: Category | None, start: dt.datetime,
            deadline: dt.datetime) -> Window:
    cal = calendar.current()
    warn_at = max(cal.subtract_hours(deadline, limit(category).warning_hours),
                  cal.next_working_moment(start))
    return Window(deadline, min(warn_at, deadline))


def due(category: Category | None, start: dt.datetime) -> Window:
    """The clock of a demand of ``category`` (None: not yet classified) that starts at
    ``start``."""
    cal = calendar.current()
    rule = limit(category)
    if rule.unit == LimitUnit.HOURS:
        deadline = cal.add_hours(start, rule.amount)
    else:
        deadline = cal.add_days(start, rule.amount)
    return _window(category, start, deadline)


def extended(category: Category | None, start: dt.datetime, deadline: dt.datetime,
             days: int) -> Window:
    """``deadline`` (of a clock that started at ``start``) moved ``days`` working days on."""
    return _window(category, start, calendar.current().add_days(deadline, days))


def started_at(demand: Demand) -> dt.datetime:
    """When the demand's running clock started: the follow-up's start while in 整改,
    otherwise receipt."""
    if demand.state == State.FOLLOW_UP and demand.evaluated_at is not None:
        return demand.evaluated_at
    return demand.received_at


def start(demand: Demand, at: dt.datetime, *, committed: bool) -> None:
    """Start ``demand``'s clock at ``at`` (fields only; the caller saves them).
    ``committed``: this is the committed time limit (receipt), not a follow-up's own."""
    window = due(demand.category, at)
    demand.deadline, demand.warn_at = window.deadline, window.warn_at
    if committed:
        demand.committed_deadline = window.deadline
    demand.sla_flag = SlaFlag.NORMAL


def extend(demand: Demand, days: int, at: dt.datetime) -> dt.datetime:
    """Apply an approved extension of ``days`` working days to the running clock; while
    the committed clock runs (not in 整改) the committed deadline moves with it. Returns
    the old deadline (fields only; the caller saves them)."""
    old = demand.deadline
    window = extended(demand.category, started_at(demand), old, days)
    demand.deadline, demand.warn_at = window.deadline, window.warn_at
    if demand.state != State.FOLLOW_UP:
        demand.committed_deadline = window.deadline
    demand.sla_flag = demand.sla_state(at)
    return old


def reclassified(demand: Demand, at: dt.datetime) -> dt.datetime | None:
    """A demand that ran on the 待分类 default got its category: its committed clock is the
    category's, from the same start (receipt), as if it had been classified then. Returns
    the old deadline, or None when no clock runs (not yet received; replied; in 整改, whose
    own clock keeps running). An approved extension is not carried over: extensions are
    approved against a category's deadline, and none can be asked before dispatch."""
    if demand.received_at is None or demand.state not in CLOCK_STATES or \
            demand.state == State.FOLLOW_UP:
        return None
    old = demand.deadline
    start(demand, demand.received_at, committed=True)
    demand.sla_flag = demand.sla_state(at)
    return old
