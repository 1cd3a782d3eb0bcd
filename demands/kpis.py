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
from django.db.models import Count, F, Q, QuerySet
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


def _families(start, end, now):
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
    for name, _field, denominator, numerators in _families(start, end, now):
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


def _count(queryset: QuerySet, start, end, now, group_field: str | None,
           month: bool = False, only: tuple[str, ...] | None = None) -> dict:
    """{group key: {count name: n}} over all metric families (or ``only`` these)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    result: dict = defaultdict(dict)
    for name, period_field, denominator, numerators in _families(start, end, now):
        if only is not None and name not in only:
            continue
        rows = queryset.filter(denominator)
        aggregates = {DENOMINATOR_NAMES[name]: Count("pk")}
        aggregates.update({key: Count("pk", filter=condition)
                           for key, condition in numerators.items()})
        if name == "satisfaction":
            for kind in RequesterKind.values:
                aggregates[f"satisfaction_{kind}"] = Count("pk", filter=Q(requester_kind=kind))
                aggregates[f"satisfied_{kind}"] = Count(
                    "pk", filter=Q(requester_kind=kind, first_evaluation_level__gte=3))
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


def summary(queryset: QuerySet, start: dt.datetime, end: dt.datetime, now=None) -> dict:
    """All figures for ``queryset`` (already narrowed by permission and filters) over the
    period [start, end)."""
    now = now or timezone.now()
    figures = _rates(_count(queryset, start, end, now, None)[None])
    figures["open_overdue"] = queryset.overdue(now).count()
    return figures


def breakdown(queryset: QuerySet, start, end, by: str, now=None) -> list[tuple[object, str, dict]]:
    """[(key, label, figures)] grouped by unit, category, channel, requester kind or
    month, in a stable order."""
    now = now or timezone.now()
    if by == "month":
        counts = _count(queryset, start, end, now, None, month=True)
    elif by in GROUPS:
        counts = _count(queryset, start, end, now, GROUPS[by])
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


def unit_figures(units, start: dt.datetime, end: dt.datetime, now=None) -> dict:
    """{unit id: figures} for each of ``units`` over [start, end), a unit's figures
    covering its whole subtree (a 局属单位 with its 中队). Units without a demand get
    ``empty()`` figures. What the assessment scores and the leaders' dashboard ranks."""
    from .models import Demand

    now = now or timezone.now()
    units = list(units)
    if not units:
        return {}
    condition = Q()
    for unit in units:
        condition |= Q(current_unit__path__startswith=unit.path)
    counts = _count(Demand.objects.filter(condition), start, end, now, "current_unit_id")
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


def dashboard_data(queryset: QuerySet, year: int, month: int, by: str, now=None) -> dict:
    """Everything the dashboard shows for one month and grouping: the month's figures,
    the twelve-month trend and the breakdown."""
    now = now or timezone.now()
    start, end = month_bounds(year, month)
    trend_start = month_bounds(year - (month < 12), month % 12 + 1)[0]
    trend = breakdown(queryset, trend_start, end, "month", now=now)
    groups = breakdown(queryset, start, end, by, now=now)
    return {
        "figures": summary(queryset, start, end, now=now),
        "trend": trend,
        "groups": groups,
        "computed_at": now,
    }


def _cache_key(scope: str, year: int, month: int, by: str) -> str:
    digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    return f"sanmanyi:kpi:v1:{digest}:{year}-{month:02d}:{by}"


def cached_dashboard(scope: str, queryset: QuerySet, year: int, month: int, by: str) -> dict:
    """``dashboard_data`` from the cache when present (``settings.KPI_CACHE_SECONDS``;
    0 computes every time). At millions of demands the figures take seconds to compute,
    so the beat job ``demands.tasks.refresh_dashboards`` keeps the bureau-wide ones warm."""
    seconds = settings.KPI_CACHE_SECONDS
    if not seconds:
        return dashboard_data(queryset, year, month, by)
    key = _cache_key(scope, year, month, by)
    data = cache.get(key)
    if data is None:
        data = dashboard_data(queryset, year, month, by)
        cache.set(key, data, timeout=seconds * 3)
    return data


def refresh_dashboards(now=None) -> int:
    """Recompute the bureau-wide dashboards of the current month (every grouping) into the
    cache. Idempotent; two workers at once only compute twice."""
    from .models import Demand

    now = now or timezone.now()
    local = timezone.localtime(now)
    count = 0
    for by in GROUPS:
        data = dashboard_data(Demand.objects.all(), local.year, local.month, by, now=now)
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
