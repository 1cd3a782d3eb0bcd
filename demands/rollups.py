"""KPI roll-ups: the counts behind ``demands.kpis`` per closed day, kept in ``DailyFigure``
so that a dashboard of any scope reads a few thousand small rows instead of a million
demands (docs/supervision.md §4).

How they stay right:

* Every change of a counted field of a demand — through ``Demand.save``, the queryset's
  ``update`` and ``bulk_create``, or a deletion — marks the closed days it touches, before
  and after the change, in ``RollupDirty``, in the change's own transaction.
* ``refresh`` (the worker, every minute) recomputes the marked days whole, and every day
  that closed since the last run, from the demand table with the very conditions of
  ``kpis.families``. Marks are consumed by id, so a change committed while it runs is
  recomputed by the next run, never lost.
* The open day (today) is never stored: ``kpis`` computes it live, as it computes any
  closed day a late job has not reached yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import kpis
from .models import DAY_FIELDS, TRACKED, changed_days, days_of, mark, snapshot

__all__ = ["DAY_FIELDS", "TRACKED", "changed_days", "complete_through", "compute", "days_of",
           "mark", "rebuild", "refresh", "snapshot"]
KEYS = ("current_unit_id", "category_id", "channel", "requester_kind")


def _tz():
    return ZoneInfo(settings.TIME_ZONE)
# --- computing ----------------------------------------------------------------------------
def _family_rows(start: dt.datetime, end: dt.datetime, now: dt.datetime):
    """For each family, the demands of [start, end) counted per local day and per
    (unit, category, channel, requester kind): yields (day, keys, {count: n})."""
    from .models import Demand

    tz = _tz()
    for name, field, denominator, numerators in kpis.families(start, end, now):
        aggregates = kpis.family_counts(name, numerators)
        rows = (Demand.objects.filter(denominator)
                .annotate(rollup_day=TruncDate(field, tzinfo=tz))
                .values("rollup_day", *KEYS).annotate(**aggregates).order_by())
        for row in rows:
            counts = {key: row[key] for key in aggregates}
            yield row["rollup_day"], tuple(row[key] for key in KEYS), counts


def compute(first: dt.date, last: dt.date, now=None) -> list:
    """The ``DailyFigure`` rows (unsaved) of the closed days first…last."""
    from .models import DailyFigure, Dimension

    now = now or timezone.now()
    start, end = kpis.day_bounds(first, last)
    totals: dict = defaultdict(lambda: defaultdict(int))
    for day, (unit, category, channel, kind), counts in _family_rows(start, end, now):
        for key in ((day, unit, Dimension.TOTAL, None, "", ""),
                    (day, unit, Dimension.CATEGORY, category, "", ""),
                    (day, unit, Dimension.CHANNEL, None, channel, ""),
                    (day, unit, Dimension.KIND, None, "", kind)):
            bucket = totals[key]
            for count_name, number in counts.items():
                bucket[count_name] += number
    return [DailyFigure(day=day, unit_id=unit, dimension=dimension, category_id=category,
                        channel=channel, requester_kind=kind, **counts)
            for (day, unit, dimension, category, channel, kind), counts in totals.items()]


def rebuild(first: dt.date, last: dt.date, now=None) -> int:
    """Replace the roll-ups of first…last (closed days) in one transaction; rows written."""
    from .models import DailyFigure

    rows = compute(first, last, now)
    with transaction.atomic():
        DailyFigure.objects.filter(day__gte=first, day__lte=last).delete()
        DailyFigure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _ranges(days: list[dt.date]):
    """Consecutive runs of sorted days as (first, last)."""
    run: list[dt.date] = []
    for day in days:
        if run and day != run[-1] + dt.timedelta(days=1):
            yield run[0], run[-1]
            run = []
        run.append(day)
    if run:
        yield run[0], run[-1]


def _months(first: dt.date, last: dt.date):
    """first…last cut at month ends (a first build goes a month at a time)."""
    while first <= last:
        following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        yield first, min(last, following - dt.timedelta(days=1))
        first = following


def refresh(now=None) -> dict:
    """Bring the roll-ups up to date: the days marked since the last run, and every day
    that closed since (all of them on the first run). Serialised on the state row, so two
    workers at once only wait for each other."""
    from .models import Demand, RollupDirty, RollupState

    now = now or timezone.now()
    yesterday = timezone.localtime(now).date() - dt.timedelta(days=1)
    with transaction.atomic():
        state = RollupState.objects.select_for_update().filter(pk=1).first() or \
            RollupState.objects.create(pk=1)
        marks = list(RollupDirty.objects.order_by("id").values_list("id", "day"))
        done = state.complete_through
        if done is None:
            earliest = Demand.objects.aggregate(first=Min("submitted_at"))["first"]
            done = (timezone.localtime(earliest).date() - dt.timedelta(days=1)) \
                if earliest else yesterday
        stale = sorted({day for _, day in marks if day <= done})
        rows = 0
        for first, last in _ranges(stale):
            for chunk_first, chunk_last in _months(first, last):
                rows += rebuild(chunk_first, chunk_last, now)
        fresh = 0
        for first, last in _months(done + dt.timedelta(days=1), yesterday):
            rows += rebuild(first, last, now)
            fresh += (last - first).days + 1
        if marks:
            RollupDirty.objects.filter(id__lte=marks[-1][0]).delete()
        state.complete_through = max(done, yesterday)
        state.built_at = now
        state.save()
    return {"recomputed": len(stale), "closed": fresh, "rows": rows}


def complete_through() -> dt.date | None:
    return kpis.complete_through()
