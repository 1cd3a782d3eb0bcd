"""The indicator registry (docs/supervision.md section 2): each key a function
``(units, start, end) → {unit_id: Measure}`` over the period ``start``–``end`` (dates,
both included), reading the domains' own read functions — ``demands.kpis`` for the
figures of demands (each unit over its subtree), ``activities.progress`` for targets,
campaign filings, project milestones. A unit missing from the result, or a ``Measure``
whose ``value`` is ``None``, has no data: the indicator's ``when_empty`` decides.

The registry is open: another module adds a key with ``@register(...)``. Every function
costs a fixed number of queries whatever the number of units.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from activities import progress
from activities.models import Target
from activities.pace import required
from campaigns.models import Campaign, Filing, Requirement
from demands import kpis
from org.models import Unit
from projects.models import Milestone, MilestoneState, ProjectState
from supervision.queries import answered_on_time

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Measure:
    """A unit's figure for one indicator: ``value`` in percent for rates, a count
    otherwise (``None``: no data); the figures it comes from; the console page listing
    the records behind it."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    records_url: str = ""


Function = Callable[[list[Unit], dt.date, dt.date], dict[int, Measure]]


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    function: Function
    measure: str  # "rate" (percent) or "count"
    lower_better: bool
    definition: str
    noun: str = "件"
    empty_text: str = "本期无参评数据"


REGISTRY: dict[str, Kind] = {}


def register(key: str, label: str, *, measure: str = "rate", lower_better: bool = False,
             definition: str = "", noun: str = "件", empty_text: str = "本期无参评数据"):
    """Add an indicator to the registry (a decorator of its function)."""
    if measure not in ("rate", "count"):
        raise ValueError(f"unknown measure {measure!r}")

    def decorate(function: Function) -> Function:
        if key in REGISTRY:
            raise ValueError(f"indicator {key!r} registered twice")
        REGISTRY[key] = Kind(key, label, function, measure, lower_better, definition, noun,
                             empty_text)
        return function
    return decorate


def choices() -> list[tuple[str, str]]:
    return [(kind.key, kind.label) for kind in REGISTRY.values()]


def rate(numerator: int, denominator: int, url: str = "") -> Measure:
    """A rate in percent, exact (scoring rounds only the points)."""
    if not denominator:
        return Measure(None, numerator, denominator, url)
    return Measure(Decimal(numerator) * HUNDRED / Decimal(denominator), numerator, denominator,
                   url)


def measure(keys: Iterable[str], units: Iterable[Unit], start: dt.date, end: dt.date
            ) -> dict[str, dict[int, Measure]]:
    """{key: {unit id: Measure}} for each key, the demand figures read once for all."""
    units = list(units)
    token = _figures_memo.set({})
    try:
        return {key: REGISTRY[key].function(units, start, end) for key in keys}
    finally:
        _figures_memo.reset(token)


# --- demands: the figures of demands.kpis, each unit over its subtree -------------------
_figures_memo: ContextVar[dict | None] = ContextVar("assessment_figures", default=None)


def _unit_figures(units: list[Unit], start: dt.date, end: dt.date) -> dict:
    memo = _figures_memo.get()
    key = (tuple(unit.pk for unit in units), start, end)
    if memo is not None and key in memo:
        return memo[key]
    first, last = kpis.day_bounds(start, end)
    figures = kpis.unit_figures(units, first, last)
    if memo is not None:
        memo[key] = figures
    return figures


def _demand_rate(figure: str) -> Function:
    def function(units, start, end):
        first, last = kpis.day_bounds(start, end)
        out = {}
        for unit_id, figures in _unit_figures(units, start, end).items():
            found = figures[figure]
            out[unit_id] = rate(found.numerator, found.denominator,
                                kpis.records_url(figure, first, last, unit=unit_id))
        return out
    return function


DEMAND_RATES = [
    ("satisfaction", "综合满意率", False, "满意率 =（非常满意 + 满意 + 基本满意）÷ 参评诉求数，"
     "按首次评价的时间统计。", "本期没有参评（已评价）的诉求"),
    ("satisfaction_citizen", "群众满意率", False, "诉求人类型为“群众”的诉求的满意率。",
     "本期没有群众参评的诉求"),
    ("satisfaction_grassroots", "基层满意率", False, "诉求人类型为“基层”的诉求的满意率。",
     "本期没有基层参评的诉求"),
    ("satisfaction_enterprise", "企业满意率", False, "诉求人类型为“企业”的诉求的满意率。",
     "本期没有企业参评的诉求"),
    ("on_time", "按时办结率", False, kpis.DEFINITIONS["on_time"], "本期没有到期的诉求"),
    ("return", "退单率", True, kpis.DEFINITIONS["return"], "本期没有派遣的诉求"),
    ("repeat", "重复诉求率", True, kpis.DEFINITIONS["repeat"], "本期没有受理的诉求"),
]
for _key, _label, _lower, _definition, _empty in DEMAND_RATES:
    register(_key, _label, lower_better=_lower, definition=_definition,
             empty_text=_empty)(_demand_rate(_key))


@register("overdue", "超期件数", measure="count", lower_better=True,
          definition=kpis.DEFINITIONS["overdue"], empty_text="本期没有到期的诉求")
def overdue(units, start, end):
    """The misses of the on-time rate; no data when nothing fell due."""
    first, last = kpis.day_bounds(start, end)
    out = {}
    for unit_id, figures in _unit_figures(units, start, end).items():
        due = figures["on_time"].denominator
        out[unit_id] = Measure(Decimal(figures["overdue"]) if due else None,
                               figures["overdue"], due,
                               kpis.records_url("overdue", first, last, unit=unit_id))
    return out


# --- targets: activities progress at the end of the period --------------------------------
@register("targets", "目标任务完成率", definition=(
    "目标任务完成率 = 考核期末按序时进度达标的目标对象数 ÷ 考核期末应有进度的目标对象数；"
    "计入期间与考核期重叠的目标，对象为本单位（含下级）的单位或人员，记录只计到考核期末。"),
          empty_text="本期没有应有进度的目标任务")
def targets(units, start, end):
    day = min(end, timezone.localdate())
    found = list(Target.objects.filter(period_start__lte=end, period_end__gte=start)
                 .select_related("campaign").order_by("id"))
    if not found:
        return {}
    # count the records up to the period's end only: a copy ends there, the pace is the
    # original period's
    originals = {target.pk: target for target in found}
    clipped = []
    for target in found:
        if target.period_start > day:
            continue
        short = copy.copy(target)
        short.period_end = min(target.period_end, day)
        clipped.append(short)
    counts: dict[int, list[int]] = {unit.pk: [0, 0] for unit in units}
    for row in progress.rows(clipped, day):
        original = originals[row.target.pk]
        due = required(original.count, original.period_start, original.period_end, day)
        if not due or not row.assignee.unit_path:
            continue
        for unit in units:
            if row.assignee.unit_path.startswith(unit.path):
                counts[unit.pk][1] += 1
                counts[unit.pk][0] += row.done >= due
    campaign = found[-1].campaign
    url = f"{reverse('console:targets')}?{urlencode({'campaign': campaign.code})}"
    return {unit_id: rate(hit, total, url) for unit_id, (hit, total) in counts.items()}


# --- campaign filings: filed by the due day ---------------------------------------------
@register("filings", "材料按时报送率", definition=(
    "材料按时报送率 = 截止日期在考核期内、按时报送的材料数 ÷ 截止日期在考核期内（且已到期）"
    "应报送的材料数；计参加创建活动的单位本身的实施方案、月度进展、工作总结和整改计划。"),
          empty_text="本期没有到期应报送的材料")
def filings(units, start, end):
    last = min(end, timezone.localdate() - dt.timedelta(days=1))
    ids = [unit.pk for unit in units]
    members: dict[int, set[int]] = defaultdict(set)
    for campaign_id, unit_id in Campaign.participants.through.objects.filter(
            unit_id__in=ids).values_list("campaign_id", "unit_id"):
        members[campaign_id].add(unit_id)
    if not members or last < start:
        return {}
    due = []  # (requirement, period, phase id)
    for requirement in Requirement.objects.filter(phase__campaign_id__in=list(members)) \
            .select_related("phase").order_by("phase__starts_on", "id"):
        for period, due_on in requirement.periods():
            if start <= due_on <= last:
                due.append((requirement, period, due_on))
    if not due:
        return {}
    filed = {(requirement_id, unit_id, period): late for requirement_id, unit_id, period, late
             in Filing.objects.filter(requirement__in={r.pk for r, _p, _d in due},
                                      unit_id__in=ids)
             .values_list("requirement_id", "unit_id", "period", "late")}
    counts: dict[int, list] = {}
    for requirement, period, _due_on in due:
        for unit_id in members[requirement.phase.campaign_id]:
            hit_total = counts.setdefault(unit_id, [0, 0, requirement.phase_id])
            hit_total[1] += 1
            hit_total[0] += filed.get((requirement.pk, unit_id, period)) is False
            hit_total[2] = requirement.phase_id
    return {unit_id: rate(hit, total, reverse("console:filing_board", args=[phase_id]))
            for unit_id, (hit, total, phase_id) in counts.items()}


# --- practical projects: milestones completed by their date ------------------------------
COUNTED_PROJECTS = (ProjectState.PUBLISHED, ProjectState.IN_PROGRESS, ProjectState.DELAYED,
                    ProjectState.DONE)


@register("milestones", "实事项目节点按时完成率", definition=(
    "实事项目节点按时完成率 = 计划完成日期在考核期内、按期完成的里程碑数 ÷ 计划完成日期在考核期内"
    "（且已到期或已完成）的里程碑数；里程碑计入其负责单位，未指定时计入项目的责任单位（含下级）。"),
          empty_text="本期没有到期的实事项目节点")
def milestones(units, start, end):
    today = timezone.localdate()
    rows = (Milestone.objects.filter(due__gte=start, due__lte=end,
                                     project__state__in=COUNTED_PROJECTS)
            .filter(Q(due__lt=today) | Q(state=MilestoneState.DONE))
            .values_list("state", "due", "done_at", "owner_unit__path",
                         "project__responsible_unit__path"))
    counts: dict[int, list[int]] = {}
    for state, due_on, done_at, owner_path, project_path in rows:
        path = owner_path or project_path
        if not path:
            continue
        on_time = state == MilestoneState.DONE and done_at is not None \
            and timezone.localtime(done_at).date() <= due_on
        for unit in units:
            if path.startswith(unit.path):
                hit_total = counts.setdefault(unit.pk, [0, 0])
                hit_total[1] += 1
                hit_total[0] += on_time
    out = {}
    for unit in units:
        if unit.pk in counts:
            hit, total = counts[unit.pk]
            url = f"{reverse('console:project_list')}?{urlencode({'unit': unit.code})}"
            out[unit.pk] = rate(hit, total, url)
    return out


# --- supervision orders: answered by their deadline ---------------------------------------
@register("orders", "督办按时反馈率", definition=(
    "督办按时反馈率 = 反馈时限在考核期内、在时限内首次反馈的督查督办单数 ÷ 反馈时限在考核期内"
    "（且已反馈或已过时限）的督办单数；计单位本身及下级单位，已撤销的不计；退回后再次反馈的，"
    "以首次反馈为准。"), empty_text="本期没有到期的督办单")
def orders(units, start, end):
    counts = answered_on_time(units, start, end + dt.timedelta(days=1))
    page = reverse("console:orders")

    def url(unit):  # the order list of exactly the orders counted (queries.judged)
        return f"{page}?" + urlencode({"unit": unit.code, "due_from": f"{start:%Y-%m-%d}",
                                       "due_to": f"{end:%Y-%m-%d}", "judged": "on"})

    return {unit.pk: rate(*counts[unit.pk], url(unit)) for unit in units if counts[unit.pk][1]}
