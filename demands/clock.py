"""The one clock of the service loop: committed deadlines in working time, their
extension, and when a running clock warns.

Every deadline a demand carries comes from here — at receipt, at a 差评整改, at an
approved extension — so they all follow one rule:

* the deadline is the category's time limit in working time from the clock's start
  (``catalog.calendar``: holidays and 调休 make-up days, the configured working hours);
* an extension adds whole working days to the deadline it extends;
* the warning moment is the category's ``warning_hours`` of working time before the
  deadline, never before the first working moment of the clock, never after the deadline.

Which demands are overdue or in warning *now* is a question for the queryset
(``Demand.objects.overdue(now)``, ``.warning(now)``) and ``Demand.sla_state(now)``, both
in ``demands.models`` beside the fields they read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalog import calendar
from catalog.models import Category, LimitUnit

from .models import Demand, SlaFlag, State


@dataclass(frozen=True)
class Window:
    """A running clock's deadline and the moment it turns yellow."""

    deadline: dt.datetime
    warn_at: dt.datetime


def _window(category: Category, start: dt.datetime, deadline: dt.datetime) -> Window:
    cal = calendar.current()
    warn_at = max(cal.subtract_hours(deadline, category.warning_hours),
                  cal.next_working_moment(start))
    return Window(deadline, min(warn_at, deadline))


def due(category: Category, start: dt.datetime) -> Window:
    """The clock of a demand of ``category`` that starts at ``start``."""
    cal = calendar.current()
    if category.time_limit_unit == LimitUnit.HOURS:
        deadline = cal.add_hours(start, category.time_limit)
    else:
        deadline = cal.add_days(start, category.time_limit)
    return _window(category, start, deadline)


def extended(category: Category, start: dt.datetime, deadline: dt.datetime,
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
