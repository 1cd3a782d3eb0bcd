"""The campaign's figures, as queries over demands. Definitions (also shown on hover in the
console, from ``DEFINITIONS``) are in docs/service-loop.md.

Every rate keeps its numerator and denominator, so a page can show "47 / 52" beside
"90.4%", and an empty denominator shows "—" instead of a made-up 0% or 100%.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from catalog.models import Category
from org.models import Unit

from .models import UNCLASSIFIED, Channel, RequesterKind, State

EXCLUDED = (State.MERGED, State.INVALID)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(self.value * 100, 1)

    def __str__(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


DEFINITIONS = {
    "satisfaction": "满意率 =（非常满意 + 满意 + 基本满意）÷ 参评诉求数。按首次评价的时间统计，"
                    "计首次评价；差评整改后的再次评价不覆盖首次评价。",
    "satisfaction_citizen": "群众满意率：诉求人类型为“群众”的诉求的满意率。",
    "satisfaction_grassroots": "基层满意率：诉求人类型为“基层”的诉求的满意率。",
    "satisfaction_enterprise": "企业满意率：诉求人类型为“企业”的诉求的满意率。",
    "on_time": "按时办结率 = 承诺时限在统计期内、在时限内首次答复的诉求数 ÷ 承诺时限在统计期内"
               "且已答复或已过时限的诉求数。",
    "overdue": "超期数 = 承诺时限在统计期内、未在时限内答复的诉求数（含逾期答复和逾期未答复）。",
    "visit": "回访率 = 统计期内首次答复、已回访或已评价的诉求数 ÷ 统计期内首次答复的诉求数。",
    "repeat": "重复诉求率 = 统计期内受理的重复诉求数 ÷ 统计期内受理的诉求数。重复诉求：被并单的"
              "诉求，以及系统发现的疑似重复（此前 30 日内同一来电号码或相距 300 米以内、内容相似"
              "的诉求；时间窗口和距离可配置），派遣人员标记为“非重复”后不再计入。",
    "return": "退单率 = 统计期内首次派遣、至少被退单一次的诉求数 ÷ 统计期内首次派遣的诉求数。",
    "extension": "延期率 = 统计期内提交、获批延期的诉求数 ÷ 统计期内提交的有效诉求数。",
    "open_overdue": "当前超期：正在办理、已过承诺时限仍未答复的诉求数（实时）。",
}

GROUPS = {
    "unit": "current_unit_id",
    "category": "category__parent_id",
    "channel": "channel",
    "requester_kind": "requester_kind",
}
GROUP_LABELS = {"unit": "责任单位", "category": "类别", "channel": "来源渠道",
                "requester_kind": "诉求人类型", "month": "月份"}


def _in(field: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def families(start, end, now):
    """(name, period field, denominator filter, {numerator name: filter})."""
    # the committed time limit: a follow-up's own clock does not move a demand's month
    due = _in("committed_deadline", start, end) & (
        Q(first_replied_at__isnull=False) | Q(committed_deadline__lt=now)) \
        & ~Q(state__in=EXCLUDED)
    return [
        ("satisfaction", "first_evaluated_at",
         _in("first_evaluated_at", start, end) & Q(first_evaluation_level__isnull=False),
         {"satisfied": Q(first_evaluation_level__gte=3)}),
        ("on_time", "committed_deadline", due,
         {"on_time": Q(replied_on_time=True)}),
        ("visit", "first_replied_at", _in("first_replied_at", start, end),
         {"visited": Q(visited_at__isnull=False) | Q(first_evaluated_at__isnull=False)}),
        ("repeat", "submitted_at", _in("submitted_at", start, end),
         {"repeat": Q(is_repeat=True)}),
        ("return", "dispatched_at", _in("dispatched_at", start, end),
         {"returned": Q(return_count__gt=0)}),
        ("extension", "submitted_at", _in("submitted_at", start, end) & ~Q(state__in=EXCLUDED),
         {"extended": Q(extension_count__gt=0)}),
    ]


def family_counts(name: str, numerators: dict) -> dict:
    """The aggregates of one family of ``families``: its denominator, its numerators and,
    for satisfaction, both split by requester kind — what every reading counts alike
    (live, roll-up building, today's part of a dashboard)."""
    aggregates = {DENOMINATOR_NAMES[name]: Count("pk")}
    aggregates.update({key: Count("pk", filter=condition)
                       for key, condition in numerators.items()})
    if name == "satisfaction":
        for kind in RequesterKind.values:
            aggregates[f"satisfaction_{kind}"] = Count("pk", filter=Q(requester_kind=kind))
            aggregates[f"satisfied_{kind}"] = Count(
                "pk", filter=Q(requester_kind=kind) & numerators["satisfied"])
    return aggregates


# The lists behind the figures: which family a figure counts in, and (for the
# satisfaction of one requester kind) the extra condition.
RECORD_FIGURES = {
    "satisfaction": ("satisfaction", None),
    "satisfaction_citizen": ("satisfaction", "citizen"),
    "satisfaction_grassroots": ("satisfaction", "grassroots"),
    "satisfaction_enterprise": ("satisfaction", "enterprise"),
    "on_time": ("on_time", None),
    "overdue": ("on_time", None),  # the misses of the on-time rate
    "visit": ("visit", None),
    "repeat": ("repeat", None),
    "return": ("return", None),
    "extension": ("extension", None),
}
FIGURE_LABELS = {
    "satisfaction": "满意率", "satisfaction_citizen": "群众满意率",
    "satisfaction_grassroots": "基层满意率", "satisfaction_enterprise": "企业满意率",
    "on_time": "按时办结率", "overdue": "超期数", "visit": "回访率", "repeat": "重复诉求率",
    "return": "退单率", "extension": "延期率",
}
PART_LABELS = {"hit": {"satisfaction": "满意", "on_time": "按时", "visit": "已回访",
                       "repeat": "重复", "return": "被退单", "extension": "获批延期"},
               "miss": {"satisfaction": "不满意", "on_time": "超期", "visit": "未回访",
                        "repeat": "非重复", "return": "未退单", "extension": "未延期"}}


def records(queryset: QuerySet, figure: str, start: dt.datetime, end: dt.datetime,
            part: str | None = None, now=None) -> QuerySet:
    """The demands a figure counts over [start, end): its denominator (``part`` None),
    the numerator (``"hit"``) or the rest (``"miss"``). The same conditions as the
    figures themselves (``_families``), so the list always adds up to the number."""
    family, kind = RECORD_FIGURES[figure]
    now = now or timezone.now()
    if figure == "overdue" and part is None:
        part = "miss"
    for name, _field, denominator, numerators in families(start, end, now):
        if name != family:
            continue
        rows = queryset.filter(denominator)
        if kind:
            rows = rows.filter(requester_kind=kind)
        (numerator,) = numerators.values()
        if part == "hit":
            rows = rows.filter(numerator)
        elif part == "miss":
            rows = rows.exclude(numerator)
        return rows
    raise ValueError(f"unknown figure {figure!r}")  # pragma: no cover - RECORD_FIGURES


def records_label(figure: str, part: str | None) -> str:
    """"按时办结率 · 超期" — the caption of the list behind a figure."""
    family = RECORD_FIGURES[figure][0]
    if figure == "overdue":
        return FIGURE_LABELS[figure]
    label = FIGURE_LABELS[figure]
    return f"{label} · {PART_LABELS[part][family]}" if part in PART_LABELS else \
        f"{label} · 参与统计的诉求"


def records_url(figure: str, start: dt.datetime, end: dt.datetime, *, unit=None,
                part: str | None = None) -> str:
    """The console's demand list of the demands behind a figure (the unit's subtree when
    ``unit`` is given). ``start``/``end`` as everywhere here ([start, end), aware)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    if figure not in RECORD_FIGURES:
        raise ValueError(f"unknown figure {figure!r}")
    last = timezone.localtime(end - dt.timedelta(microseconds=1))
    params = {"queue": "all", "kpi": figure, "from": f"{timezone.localtime(start):%Y-%m-%d}",
              "to": f"{last:%Y-%m-%d}"}
    if part:
        params["part"] = part
    if unit is not None:
        params["unit"] = getattr(unit, "pk", unit)
    return f"{reverse('console:demand_list')}?{urlencode(params)}"


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first 00:00, the day after last 00:00) in the bureau's time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (dt.datetime.combine(first, dt.time(), tz),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz))


def _rates(counts: dict[str, int]) -> dict:
    """Turn raw counts of one group into the named figures."""
    out = {}
    for kind in RequesterKind.values:
        out[f"satisfaction_{kind}"] = Rate(counts.get(f"satisfied_{kind}", 0),
                                           counts.get(f"satisfaction_{kind}", 0))
    out["satisfaction"] = Rate(counts.get("satisfied", 0), counts.get("satisfaction", 0))
    out["on_time"] = Rate(counts.get("on_time", 0), counts.get("due", 0))
    out["overdue"] = counts.get("due", 0) - counts.get("on_time", 0)
    out["visit"] = Rate(counts.get("visited", 0), counts.get("visit", 0))
    out["repeat"] = Rate(counts.get("repeat", 0), counts.get("received", 0))
    out["return"] = Rate(counts.get("returned", 0), counts.get("dispatched", 0))
    out["extension"] = Rate(counts.get("extended", 0), counts.get("valid", 0))
    return out


def empty() -> dict:
    """The figures of a group without any demand ("—" rates, zero counts)."""
    return _rates({})


DENOMINATOR_NAMES = {"satisfaction": "satisfaction", "on_time": "due", "visit": "visit",
                     "repeat": "received", "return": "dispatched", "extension": "valid"}


@dataclass(frozen=True)
class Rollup:
    """A scope the roll-ups answer: every demand (``paths`` None) or those whose current
    unit lies under one of ``paths``. Pass one wherever a queryset is taken: closed days
    are read from ``DailyFigure``, the rest (today; days a late job has not reached)
    computed live, and the two added — the same numbers as the live computation."""

    paths: tuple[str, ...] | None = None

    @classmethod
    def of_units(cls, units) -> Rollup:
        return cls(tuple(unit.path for unit in units))

    @classmethod
    def for_user(cls, user, capability: str = "demand.kpi") -> Rollup:
        from org import access

        where = access.scope(user, capability)
        if where.user_id is not None or where.reach is not None:
            raise ValueError(f"{capability} reaches beyond units; roll-ups cannot answer it")
        return cls(None if where.everything else tuple(where.paths))

    def unit_ids(self) -> list[int] | None:
        """The units of the scope (None: all) — filtering by id lets PostgreSQL use the
        demand and roll-up indexes instead of joining the unit table."""
        if self.paths is None:
            return None
        condition = Q(pk__in=[])
        for path in self.paths:
            condition |= Q(path__startswith=path)
        return list(Unit.objects.filter(condition).values_list("pk", flat=True))

    def _unit_q(self, field: str, ids: list[int] | None) -> Q:
        return Q() if ids is None else Q(**{f"{field}__in": ids})

    def demands(self, ids: list[int] | None = None) -> QuerySet:
        from .models import Demand

        if ids is None:
            ids = self.unit_ids()
        return Demand.objects.filter(self._unit_q("current_unit_id", ids))

    def overdue(self, now):
        return self.demands().overdue(now)


ROLLUP_GROUPS = {  # grouping → (dimension of the rows, the key)
    "unit": ("", "unit_id"),
    "category": ("category", "category__parent_id"),
    "channel": ("channel", "channel"),
    "requester_kind": ("kind", "requester_kind"),
}
ROLLUP_COUNTS = ("received", "repeat", "valid", "extended", "dispatched", "returned", "visit",
                 "visited", "due", "on_time", "satisfaction", "satisfied",
                 *(f"{prefix}_{kind}" for kind in ("citizen", "grassroots", "enterprise")
                   for prefix in ("satisfaction", "satisfied")))
FAMILY_COUNTS = {"satisfaction": ("satisfaction", "satisfied", *(
                     f"{prefix}_{kind}" for kind in ("citizen", "grassroots", "enterprise")
                     for prefix in ("satisfaction", "satisfied"))),
                 "on_time": ("due", "on_time"), "visit": ("visit", "visited"),
                 "repeat": ("received", "repeat"), "return": ("dispatched", "returned"),
                 "extension": ("valid", "extended")}


def complete_through() -> dt.date | None:
    """The last closed day the roll-ups hold (None: never built)."""
    from .models import RollupState

    return RollupState.objects.filter(pk=1).values_list("complete_through", flat=True).first()


def _closed_until(start: dt.datetime, end: dt.datetime, now, done) -> dt.datetime:
    """Where the stored days of [start, end) stop: the roll-ups answer [start, result),
    the live computation [result, end). ``done``: ``complete_through()``."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local_start = start.astimezone(tz)
    if done is None or local_start.time() != dt.time() or local_start.date() > done:
        return start
    today = dt.datetime.combine(timezone.localtime(now, tz).date(), dt.time(), tz)
    stored_end = dt.datetime.combine(done + dt.timedelta(days=1), dt.time(), tz)
    return max(start, min(end, today, stored_end))


LIVE_KEYS = {"unit": "current_unit_id", "category": "category__parent_id",
             "channel": "channel", "requester_kind": "requester_kind"}


def _live_rows(source: Rollup, ids, start, end, now) -> list[dict]:
    """The demands of [start, end) that no roll-up holds (today, a day the job has not
    reached), counted per family and grouped finely enough to answer every grouping: six
    queries, shared by the figures, the trend and the breakdown of one dashboard."""
    tz = ZoneInfo(settings.TIME_ZONE)
    rows = []
    for name, field, denominator, numerators in families(start, end, now):
        aggregates = family_counts(name, numerators)
        grouped = (source.demands(ids).filter(denominator)
                   .annotate(month=TruncMonth(field, tzinfo=tz))
                   .values("month", *LIVE_KEYS.values()).annotate(**aggregates).order_by())
        for row in grouped:
            month = row.pop("month")
            row["month"] = timezone.localtime(month, tz).date() \
                if isinstance(month, dt.datetime) else month
            rows.append(row)
    return rows


def _count_rollup(source: Rollup, start, end, now, by, month, only, memo) -> dict:
    from .models import DailyFigure

    memo = {} if memo is None else memo
    if "ids" not in memo:
        memo["ids"] = source.unit_ids()
    ids = memo["ids"]
    if "done" not in memo:
        memo["done"] = complete_through()
    split = _closed_until(start, end, now, memo["done"])
    result: dict = defaultdict(dict)
    names = ROLLUP_COUNTS if only is None else tuple(
        name for family in only for name in FAMILY_COUNTS[family])
    if split > start:
        first = timezone.localtime(start).date()
        last = timezone.localtime(split).date() - dt.timedelta(days=1)
        rows = DailyFigure.objects.filter(source._unit_q("unit_id", ids), day__gte=first,
                                          day__lte=last)
        aggregates = {name: Sum(name) for name in names}
        if month:
            grouped = rows.filter(dimension="").annotate(group=TruncMonth("day")) \
                .values("group")
        elif by:
            dimension, key = ROLLUP_GROUPS[by]
            grouped = rows.filter(dimension=dimension).values(group=F(key))
        else:
            grouped = None
        if grouped is None:
            totals = rows.filter(dimension="").aggregate(**aggregates)
            if any(totals.values()):
                result[None].update({name: totals[name] or 0 for name in names})
        else:
            for row in grouped.annotate(**aggregates).order_by():
                key = row["group"]
                if isinstance(key, dt.datetime):
                    key = key.date()
                for name in names:
                    result[key][name] = result[key].get(name, 0) + (row[name] or 0)
    if split < end:
        if memo.get("live", (None,))[0] != (split, end, now):
            memo["live"] = ((split, end, now), _live_rows(source, ids, split, end, now))
        for row in memo["live"][1]:
            key = row["month"] if month else (row[LIVE_KEYS[by]] if by else None)
            target = result[key]
            for name in names:
                if name in row:
                    target[name] = target.get(name, 0) + (row[name] or 0)
    return result


def _count(queryset, start, end, now, by: str | None,
           month: bool = False, only: tuple[str, ...] | None = None, memo=None) -> dict:
    """{group key: {count name: n}} over all metric families (or ``only`` these), grouped
    by ``by`` (a key of ``GROUPS``) or by month. ``queryset``: the demands, or a
    ``Rollup`` scope."""
    if isinstance(queryset, Rollup):
        return _count_rollup(queryset, start, end, now, by, month, only, memo)
    group_field = GROUPS[by] if by else None
    tz = ZoneInfo(settings.TIME_ZONE)
    result: dict = defaultdict(dict)
    for name, period_field, denominator, numerators in families(start, end, now):
        if only is not None and name not in only:
            continue
        rows = queryset.filter(denominator)
        aggregates = family_counts(name, numerators)
        if month:
            rows = rows.annotate(group=TruncMonth(period_field, tzinfo=tz)).values("group")
        elif group_field:
            rows = rows.values(group=F(group_field))
        if month or group_field:
            for row in rows.annotate(**aggregates).order_by():
                key = row["group"]
                if month and isinstance(key, dt.datetime):
                    key = timezone.localtime(key, tz).date()
                for count_name in aggregates:
                    result[key][count_name] = result[key].get(count_name, 0) + row[count_name]
        else:
            totals = rows.aggregate(**aggregates)
            result[None].update(totals)
    return result


def summary(queryset: QuerySet, start: dt.datetime, end: dt.datetime, now=None,
            memo=None) -> dict:
    """All figures for ``queryset`` (already narrowed by permission and filters) over the
    period [start, end)."""
    now = now or timezone.now()
    figures = _rates(_count(queryset, start, end, now, None, memo=memo)[None])
    figures["open_overdue"] = queryset.overdue(now).count()
    return figures


def breakdown(queryset: QuerySet, start, end, by: str, now=None,
              memo=None) -> list[tuple[object, str, dict]]:
    """[(key, label, figures)] grouped by unit, category, channel, requester kind or
    month, in a stable order."""
    now = now or timezone.now()
    if by == "month":
        counts = _count(queryset, start, end, now, None, month=True, memo=memo)
    elif by in GROUPS:
        counts = _count(queryset, start, end, now, by, memo=memo)
    else:
        raise ValueError(f"unknown grouping {by!r}")
    labels = _labels(by, [key for key in counts if key is not None])
    rows = [(key, labels.get(key, str(key)), _rates(values))
            for key, values in counts.items() if key is not None]
    if by == "month":
        rows.sort(key=lambda row: row[0])
        rows = [(key, f"{key:%Y-%m}", figures) for key, _, figures in rows]
    else:
        rows.sort(key=lambda row: str(row[1]))
    if by == "category" and counts.get(None):  # 待分类: last, so the rows add up
        rows.append((None, UNCLASSIFIED, _rates(counts[None])))
    return rows


def unit_figures(units, start: dt.datetime, end: dt.datetime, now=None, *,
                 source: Rollup | None = None, memo=None) -> dict:
    """{unit id: figures} for each of ``units`` over [start, end), a unit's figures
    covering its whole subtree (a 局属单位 with its 中队). Units without a demand get
    ``empty()`` figures. What the assessment scores and the leaders' dashboard ranks."""
    now = now or timezone.now()
    units = list(units)
    if not units:
        return {}
    # ``source``: a scope that holds every one of ``units`` (a dashboard's), whose
    # ``memo`` the dashboard shares, so today's demands are read once for both
    counts = _count(source or Rollup.of_units(units), start, end, now, "unit", memo=memo)
    paths = dict(Unit.objects.filter(pk__in=[key for key in counts if key is not None])
                 .values_list("pk", "path"))
    totals: dict = {unit.pk: defaultdict(int) for unit in units}
    for key, values in counts.items():
        path = paths.get(key, "")
        for unit in units:
            if path.startswith(unit.path):
                for name, number in values.items():
                    totals[unit.pk][name] += number or 0
    return {pk: _rates(values) for pk, values in totals.items()}


def _labels(by: str, keys) -> dict:
    if by == "unit":
        return {unit.pk: unit.display_name for unit in Unit.objects.filter(pk__in=keys)}
    if by == "category":
        return dict(Category.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "channel":
        return {key: str(Channel(key).label) for key in keys}
    if by == "requester_kind":
        return {key: str(RequesterKind(key).label) for key in keys}
    return {}


def dashboard_data(queryset: QuerySet, year: int, month: int, by: str, now=None,
                   memo=None) -> dict:
    """Everything the dashboard shows for one month and grouping: the month's figures,
    the twelve-month trend and the breakdown."""
    now = now or timezone.now()
    start, end = month_bounds(year, month)
    trend_start = month_bounds(year - (month < 12), month % 12 + 1)[0]
    memo = {} if memo is None else memo  # the scope's units and today's counts, read once
    trend = breakdown(queryset, trend_start, end, "month", now=now, memo=memo)
    groups = breakdown(queryset, start, end, by, now=now, memo=memo)
    return {
        "figures": summary(queryset, start, end, now=now, memo=memo),
        "trend": trend,
        "groups": groups,
        "computed_at": now,
    }


def _cache_key(scope: str, year: int, month: int, by: str) -> str:
    digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    return f"sanmanyi:kpi:v1:{digest}:{year}-{month:02d}:{by}"


def cached_dashboard(scope: str, queryset: QuerySet, year: int, month: int, by: str, *,
                     now=None, memo=None) -> dict:
    """``dashboard_data`` from the cache when present (``settings.KPI_CACHE_SECONDS``;
    0 computes every time). At millions of demands the figures take seconds to compute,
    so the beat job ``demands.tasks.refresh_dashboards`` keeps the bureau-wide ones warm."""
    seconds = settings.KPI_CACHE_SECONDS
    if not seconds:
        return dashboard_data(queryset, year, month, by, now=now, memo=memo)
    key = _cache_key(scope, year, month, by)
    data = cache.get(key)
    if data is None:
        data = dashboard_data(queryset, year, month, by, now=now, memo=memo)
        cache.set(key, data, timeout=seconds * 3)
    return data


def refresh_dashboards(now=None) -> int:
    """Recompute the bureau-wide dashboards of the current month (every grouping) into the
    cache. Idempotent; two workers at once only compute twice."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    count = 0
    for by in GROUPS:
        data = dashboard_data(Rollup(), local.year, local.month, by, now=now)
        cache.set(_cache_key("all", local.year, local.month, by), data,
                  timeout=max(settings.KPI_CACHE_SECONDS, 60) * 3)
        count += 1
    return count


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end




def monthly_satisfaction(queryset: QuerySet, today: dt.date | None = None,
                         months: int = 12) -> list[tuple[str, Rate]]:
    """The satisfaction rate of each of the last ``months`` months, this one included,
    oldest first, counted as ``breakdown`` by month counts it (first evaluations in the
    month), in one query;
    a month without an evaluation gives an empty rate ("—"). The enterprise page's series
    (``queryset``: one enterprise's demands)."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - (months - 1)
    start = month_bounds(index // 12, index % 12 + 1)[0]
    end = month_bounds(today.year, today.month)[1]
    counts = _count(queryset, start, end, timezone.now(), None, month=True,
                    only=("satisfaction",))
    found = {key: _rates(values)["satisfaction"] for key, values in counts.items()}
    series = []
    for step in range(months):
        year, month = divmod(index + step, 12)
        day = dt.date(year, month + 1, 1)
        series.append((f"{day:%Y-%m}", found.get(day, Rate(0, 0))))
    return series
