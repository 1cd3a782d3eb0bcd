"""The public statistics page's figures (接受群众监督): the three satisfaction rates, the
on-time rate, project satisfaction and volumes by unit, category and month, over the last
twelve months.

One computation: every number comes from ``demands.kpis`` — the functions the console's
dashboard calls — and ``projects.public.project_satisfaction``, over every demand (the
public sees the bureau-wide figures). Only aggregates leave here; no names, no numbers.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from demands import kpis
from projects import public

MONTHS = 12


def window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From the first day of the month eleven months back to now (the current month so
    far): twelve calendar months."""
    local = timezone.localtime(now)
    year, month = local.year, local.month - (MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return kpis.month_bounds(year, month)[0], now


def _volume(figures: dict) -> int:
    return figures["repeat"].denominator  # demands received in the period


def compute(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    start, end = window(now)
    demands = kpis.Rollup()  # every demand, from the roll-ups and today live
    months = kpis.breakdown(demands, start, end, "month", now=now)
    by_unit = kpis.breakdown(demands, start, end, "unit", now=now)
    by_category = kpis.breakdown(demands, start, end, "category", now=now)
    found = {key: figures for key, _label, figures in months}
    month_rows = []
    first = start
    while first < end:
        local = timezone.localtime(first)
        following = kpis.month_bounds(local.year, local.month)[1]
        key = local.date()
        month_rows.append((key, f"{key:%Y-%m}", found.get(key) or kpis.empty(),
                           public.project_satisfaction(first, min(following, end))))
        first = following
    return {
        "start": timezone.localtime(start).date(),
        "end": timezone.localtime(end).date(),
        "computed_at": now,
        "figures": kpis.summary(demands, start, end, now=now),
        "projects": public.project_satisfaction(start, end),
        "months": month_rows,
        "units": sorted(by_unit, key=lambda row: -_volume(row[2])),
        "categories": sorted(by_category, key=lambda row: -_volume(row[2])),
    }


def _key() -> str:
    return f"sanmanyi:statistics:v1:{timezone.localdate():%Y-%m-%d}"


def cached(now: dt.datetime | None = None) -> dict:
    """``compute`` from the cache when ``KPI_CACHE_SECONDS`` is set; the beat job
    ``portal.tasks.refresh_statistics`` keeps it warm, so no citizen waits for a
    computation over millions of demands."""
    seconds = settings.KPI_CACHE_SECONDS
    if not seconds:
        return compute(now)
    data = cache.get(_key())
    if data is None:
        data = refresh(now)
    return data


def refresh(now: dt.datetime | None = None) -> dict:
    data = compute(now)
    cache.set(_key(), data, timeout=max(settings.KPI_CACHE_SECONDS, 60) * 3)
    return data


def chart(data: dict) -> dict:
    """What the page's charts draw (json_script); the tables carry the same numbers."""
    return {
        "months": [label for _key, label, _f, _p in data["months"]],
        "citizen": [f["satisfaction_citizen"].percent for _k, _l, f, _p in data["months"]],
        "grassroots": [f["satisfaction_grassroots"].percent for _k, _l, f, _p in data["months"]],
        "enterprise": [f["satisfaction_enterprise"].percent for _k, _l, f, _p in data["months"]],
        "on_time": [f["on_time"].percent for _k, _l, f, _p in data["months"]],
        "volume": [_volume(f) for _k, _l, f, _p in data["months"]],
        "units": [label for _k, label, _f in data["units"]],
        "unit_volume": [_volume(f) for _k, _l, f in data["units"]],
        "categories": [label for _k, label, _f in data["categories"]],
        "category_volume": [_volume(f) for _k, _l, f in data["categories"]],
    }
