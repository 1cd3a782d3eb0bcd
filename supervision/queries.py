"""Read functions of supervision orders for the assessment (考核: "supervision orders
answered on time") and the leaders' dashboard (open and overdue orders). Nothing here
writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from org.models import Unit

from .models import AWAITING_STATES, OPEN_STATES, OrderState, SupervisionOrder


def _moment(value) -> dt.datetime:
    """A period bound: an aware datetime, or a day (its local midnight)."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time()))


def due_between(queryset: QuerySet, start, end) -> QuerySet:
    """The orders whose deadline falls in ``[start, end)`` (days or datetimes)."""
    return queryset.filter(deadline__gte=_moment(start), deadline__lt=_moment(end))


def judged(queryset: QuerySet, start, end, now: dt.datetime | None = None) -> QuerySet:
    """The orders ``answered_on_time`` judges: deadline in ``[start, end)`` (days or
    datetimes), not cancelled, answered or past the deadline by ``now``. The order list
    shows the same rows behind an assessment line (``?judged=1``)."""
    now = now or timezone.now()
    return (due_between(queryset, start, end)
            .exclude(state=OrderState.CANCELLED)
            .filter(Q(first_answered_at__isnull=False) | Q(deadline__lt=now)))


def answered_on_time(units: Iterable[Unit], start, end,
                     now: dt.datetime | None = None) -> dict[int, tuple[int, int]]:
    """``{unit_id: (on_time, due)}`` for each of ``units`` over its whole subtree.

    *Due*: the orders whose deadline falls in ``[start, end)`` (days or datetimes) and that
    have been answered or whose deadline has passed by ``now`` — an order still running
    is not judged yet; cancelled orders are not counted. *On time*: of those, the orders
    whose **first** answer came at or before the deadline (an answer sent back and given
    again later still counts as on time). A unit with no such order gets ``(0, 0)``.

    One grouped query by unit path; the subtrees are summed here (a unit's path is a
    prefix of its descendants' paths)."""
    units = list(units)
    now = now or timezone.now()
    start, end = _moment(start), _moment(end)
    rows = (judged(SupervisionOrder.objects.all(), start, end, now)
            .order_by().values("unit__path")
            .annotate(due=Count("pk"),
                      on_time=Count("pk", filter=Q(first_answered_at__lte=F("deadline")))))
    by_path = [(row["unit__path"], row["on_time"], row["due"]) for row in rows]
    out = {}
    for unit in units:
        on_time = due = 0
        for path, counted, total in by_path:
            if path.startswith(unit.path):
                on_time += counted
                due += total
        out[unit.pk] = (on_time, due)
    return out


def open_orders(queryset: QuerySet | None = None) -> QuerySet:
    """The orders not yet finished (已下达, 已反馈, 退回) of ``queryset`` (all orders by
    default; pass ``access.filter_for(user, "order.view", …)`` for a person's scope)."""
    queryset = SupervisionOrder.objects.all() if queryset is None else queryset
    return queryset.filter(state__in=OPEN_STATES)


def overdue_orders(queryset: QuerySet | None = None,
                   now: dt.datetime | None = None) -> QuerySet:
    """The orders past their deadline that the unit has not answered (or must answer
    again) — the live condition, not the sweep's flag."""
    queryset = SupervisionOrder.objects.all() if queryset is None else queryset
    return queryset.overdue(now or timezone.now())


@dataclass(frozen=True)
class OpenCounts:
    open: int  # not finished
    awaiting: int  # the units owe an answer
    answered: int  # the office owes a decision
    overdue: int  # awaiting and past the deadline


def open_counts(queryset: QuerySet | None = None, now: dt.datetime | None = None) -> OpenCounts:
    """The dashboard's figures of ``queryset`` in one query."""
    queryset = SupervisionOrder.objects.all() if queryset is None else queryset
    now = now or timezone.now()
    awaiting = Q(state__in=AWAITING_STATES)
    figures = queryset.order_by().aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        awaiting=Count("pk", filter=awaiting),
        answered=Count("pk", filter=Q(state=OrderState.ANSWERED)),
        overdue=Count("pk", filter=awaiting & Q(deadline__lt=now)))
    return OpenCounts(**figures)


def open_by_unit(queryset: QuerySet | None = None,
                 now: dt.datetime | None = None) -> list[dict]:
    """Open and overdue orders per unit, most overdue first (for the dashboard's table):
    ``[{"unit_id", "unit__name", "unit__code", "open", "overdue"}, …]``."""
    queryset = SupervisionOrder.objects.all() if queryset is None else queryset
    now = now or timezone.now()
    return list(queryset.filter(state__in=OPEN_STATES).order_by()
                .values("unit_id", "unit__name", "unit__code")
                .annotate(open=Count("pk"),
                          overdue=Count("pk", filter=Q(state__in=AWAITING_STATES,
                                                       deadline__lt=now)))
                .order_by("-overdue", "-open", "unit__name"))
