"""Every change to schemes, assessments, adjustments and objections (the pattern of the
other domains: permission, row lock, validation with a Chinese error, one transaction).
Transitions are declared for the interfaces in ``assessment.catalogue``; the worker's
side of computing is ``assessment.jobs``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from inbox.actions import notify
from lib import documents
from lib.errors import ActionError, clean_date, clean_text
from org import access
from org.models import Role, RoleAssignment, Unit

from . import indicators as registry
from . import scoring
from .models import (
    Adjustment,
    AdjustmentFile,
    Assessment,
    AssessmentState,
    ComputeState,
    Indicator,
    Objection,
    ObjectionFile,
    ObjectionState,
    PeriodKind,
    Rule,
    Scheme,
    Score,
    ScoreLine,
    WhenEmpty,
)

S = AssessmentState
MAX_INDICATORS = 30
MAX_STEPS = 10


# --- who may ----------------------------------------------------------------------------
def may_manage(user) -> bool:
    """Schemes, assessments and adjustments are the bureau's: a bureau-wide grant."""
    return access.can_bureau_wide(user, "assessment.manage")


def may_decide(user) -> bool:
    return access.can_bureau_wide(user, "objection.decide")


def may_see(user, assessment: Assessment) -> bool:
    """Managers see drafts too; everybody else with ``assessment.view`` only published
    and final assessments (and, of them, the scores of their own units)."""
    if may_manage(user):
        return True
    return assessment.state != S.DRAFT and access.can_anywhere(user, "assessment.view")


def _manage(actor) -> None:
    if not may_manage(actor):
        raise ActionError("forbidden", "您没有管理考核的权限。")


def _not_final(assessment: Assessment, label: str) -> None:
    if assessment.state == S.FINAL:
        raise ActionError("wrong_state", f"该考核已定稿，不能{label}。")


# --- checked values ---------------------------------------------------------------------
def _decimal(value, label: str, field: str | None = None, *, minimum=None, maximum=None,
             required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ActionError("invalid", f"请填写{label}。", field)
        return None
    try:
        number = Decimal(str(value).strip().replace("＋", "+").replace("－", "-"))
    except InvalidOperation:
        raise ActionError("invalid", f"{label}须为数字。", field) from None
    if not number.is_finite():
        raise ActionError("invalid", f"{label}须为数字。", field)
    if minimum is not None and number < minimum:
        raise ActionError("invalid", f"{label}不能小于 {scoring.number(minimum)}。", field)
    if maximum is not None and number > maximum:
        raise ActionError("invalid", f"{label}不能大于 {scoring.number(maximum)}。", field)
    if number != number.quantize(scoring.CENT):
        raise ActionError("invalid", f"{label}最多保留两位小数。", field)
    return number


def _plain(number: Decimal) -> int | float:
    """A JSON number for the parameters (what people typed, not a binary surprise)."""
    return int(number) if number == number.to_integral_value() else float(number)


def check_params(key: str, rule: str, params: dict, weight: Decimal, label: str = "") -> dict:
    """The rule's parameters, checked against the indicator's kind and normalised:
    linear ``{"floor", "target"}``; threshold ``{"steps": [[value, share], …]}`` best
    step first, shares 0–1; deduct ``{"per_item", "cap"}`` (count indicators only)."""
    kind = registry.REGISTRY[key]
    name = label or kind.label
    top = Decimal(100) if kind.measure == "rate" else None
    field = "params"
    if rule == Rule.LINEAR:
        floor = _decimal(params.get("floor"), f"{name}的底线", field, minimum=Decimal(0),
                         maximum=top)
        target = _decimal(params.get("target"), f"{name}的目标", field, minimum=Decimal(0),
                          maximum=top)
        if floor == target:
            raise ActionError("invalid", f"{name}的目标和底线不能相同。", field)
        if kind.lower_better and target > floor:
            raise ActionError("invalid",
                              f"{name}越低越好：目标应低于底线（如目标 2%、底线 10%）。", field)
        if not kind.lower_better and target < floor:
            raise ActionError("invalid",
                              f"{name}越高越好：目标应高于底线（如目标 95%、底线 80%）。", field)
        return {"floor": _plain(floor), "target": _plain(target)}
    if rule == Rule.THRESHOLD:
        steps = params.get("steps") or []
        if not steps:
            raise ActionError("invalid", f"请填写{name}的分档（如 95:100; 90:80; 80:50）。", field)
        if len(steps) > MAX_STEPS:
            raise ActionError("invalid", f"{name}最多 {MAX_STEPS} 档。", field)
        checked = []
        for step in steps:
            if not isinstance(step, list | tuple) or len(step) != 2:
                raise ActionError("invalid", f"{name}的分档应写成“数值:得分比例%”。", field)
            bound = _decimal(step[0], f"{name}的分档数值", field, minimum=Decimal(0), maximum=top)
            share = _decimal(step[1], f"{name}的分档得分比例", field, minimum=Decimal(0),
                             maximum=Decimal(1))
            checked.append((bound, share))
        if len({bound for bound, _s in checked}) != len(checked):
            raise ActionError("invalid", f"{name}的分档数值重复。", field)
        checked.sort(key=lambda step: step[0], reverse=not kind.lower_better)
        return {"steps": [[_plain(bound), _plain(share)] for bound, share in checked]}
    if rule == Rule.DEDUCT:
        if kind.measure != "count":
            raise ActionError("invalid", f"逐项扣分只适用于计数类指标（如超期件数），"
                                         f"“{name}”是比率，请用线性或分档计分。", field)
        per_item = _decimal(params.get("per_item"), f"{name}的每{kind.noun}扣分", field,
                            minimum=Decimal("0.01"), maximum=weight)
        cap = _decimal(params.get("cap"), f"{name}的扣分上限", field, minimum=Decimal("0.01"),
                       maximum=weight, required=False)
        return {"per_item": _plain(per_item), **({"cap": _plain(cap)} if cap else {})}
    raise ActionError("invalid", "请选择计分规则。", "rule")


def _units(values) -> list[Unit]:
    units = []
    for value in values or []:
        unit = value if isinstance(value, Unit) else Unit.objects.filter(
            code=str(value).strip()).first()
        if unit is None or not unit.is_active:
            raise ActionError("invalid", "考核单位中有无效或已停用的单位。", "units")
        units.append(unit)
    return units


def _scheme_fields(data: dict) -> dict:
    name = clean_text(data.get("name"), "方案名称", limit=100, field_name="name")
    campaign = data.get("campaign")
    if campaign not in (None, "") and not isinstance(campaign, Campaign):
        campaign = Campaign.objects.filter(code=str(campaign).strip()).first()
        if campaign is None:
            raise ActionError("invalid", "请选择有效的创建活动。", "campaign")
    period_kind = data.get("period_kind") or PeriodKind.MONTH
    if period_kind not in PeriodKind.values:
        raise ActionError("invalid", "请选择考核周期。", "period_kind")
    max_score = _decimal(data.get("max_score", 100), "满分", "max_score",
                         minimum=Decimal(1), maximum=Decimal(1000))
    return {"name": name, "campaign": campaign or None, "period_kind": period_kind,
            "max_score": max_score,
            "description": clean_text(data.get("description"), "说明", required=False,
                                      field_name="description")}


def _indicator_rows(rows: Iterable[dict], max_score: Decimal) -> list[dict]:
    rows = [row for row in rows if row]
    if not rows:
        raise ActionError("invalid", "请至少设置一项考核指标。", "indicators")
    if len(rows) > MAX_INDICATORS:
        raise ActionError("invalid", f"考核指标最多 {MAX_INDICATORS} 项。", "indicators")
    checked, keys = [], set()
    for order, row in enumerate(rows):
        key = row.get("key")
        if key not in registry.REGISTRY:
            raise ActionError("invalid", "请从指标库中选择指标。", "indicators")
        if key in keys:
            raise ActionError("invalid", f"指标“{registry.REGISTRY[key].label}”重复设置。",
                              "indicators")
        keys.add(key)
        label = clean_text(row.get("label") or registry.REGISTRY[key].label, "指标名称",
                           limit=50, field_name="indicators")
        weight = _decimal(row.get("weight"), f"“{label}”的分值", "indicators",
                          minimum=Decimal("0.01"), maximum=max_score)
        rule = row.get("rule")
        if rule not in Rule.values:
            raise ActionError("invalid", f"请选择“{label}”的计分规则。", "indicators")
        when_empty = row.get("when_empty") or WhenEmpty.SKIP
        if when_empty not in WhenEmpty.values:
            raise ActionError("invalid", f"请选择“{label}”无数据时的计分方式。", "indicators")
        try:
            params = check_params(key, rule, row.get("params") or {}, weight, label)
        except ActionError as error:
            raise ActionError(error.code, error.message, "indicators") from None
        checked.append({"key": key, "label": label, "weight": weight, "rule": rule,
                        "params": params, "when_empty": when_empty, "sort_order": order})
    total = sum((row["weight"] for row in checked), Decimal(0))
    if total != max_score:
        raise ActionError("invalid", f"各指标分值之和为 {scoring.number(total)} 分，应等于满分 "
                                     f"{scoring.number(max_score)} 分。", "indicators")
    return checked


@transaction.atomic
def save_scheme(actor, data: dict, indicator_rows: Iterable[dict], units=None,
                scheme: Scheme | None = None, at=None) -> Scheme:
    """Create or change a scheme and its indicators at once (nothing half-written). No
    units given: the campaign's participants."""
    _manage(actor)
    at = at or timezone.now()
    fields = _scheme_fields(data)
    rows = _indicator_rows(indicator_rows, fields["max_score"])
    chosen = _units(units)
    if not chosen and fields["campaign"] is not None:
        chosen = list(fields["campaign"].participants.filter(is_active=True))
    if not chosen:
        raise ActionError("invalid", "请选择考核单位（或选择创建活动，默认考核其参加单位）。",
                          "units")
    if Scheme.objects.filter(name=fields["name"]).exclude(
            pk=scheme.pk if scheme else None).exists():
        raise ActionError("conflict", f"已有名为“{fields['name']}”的考核方案。", "name")
    if scheme is None:
        scheme = Scheme.objects.create(**fields, created_by=actor, created_at=at, updated_at=at)
    else:
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        for name, value in fields.items():
            setattr(scheme, name, value)
        scheme.updated_at = at
        scheme.save()
    scheme.units.set(chosen)
    existing = {indicator.key: indicator for indicator in scheme.indicators.all()}
    for row in rows:
        indicator = existing.pop(row["key"], None) or Indicator(scheme=scheme)
        for name, value in row.items():
            setattr(indicator, name, value)
        indicator.save()
    for indicator in existing.values():
        indicator.delete()  # its lines in earlier assessments keep their text
    Assessment.objects.filter(scheme=scheme).exclude(state=S.FINAL).update(
        revision=F("revision") + 1)
    return scheme


# --- assessments ------------------------------------------------------------------------
def period_title(scheme: Scheme, starts_on: dt.date, ends_on: dt.date) -> str:
    last_day = (ends_on + dt.timedelta(days=1)).day == 1
    if starts_on.day == 1 and last_day and (starts_on.year, starts_on.month) == (
            ends_on.year, ends_on.month):
        return f"{starts_on.year}年{starts_on.month}月考核"
    if starts_on.day == 1 and last_day and starts_on.month % 3 == 1 \
            and ends_on.month == starts_on.month + 2 and starts_on.year == ends_on.year:
        return f"{starts_on.year}年第{(starts_on.month + 2) // 3}季度考核"
    if starts_on == dt.date(starts_on.year, 1, 1) and ends_on == dt.date(starts_on.year, 12, 31):
        return f"{starts_on.year}年度考核"
    return f"{starts_on:%Y-%m-%d}至{ends_on:%Y-%m-%d}考核"


@transaction.atomic
def create_assessment(actor, scheme: Scheme, starts_on, ends_on, title: str = "",
                      at=None) -> Assessment:
    """An assessment of ``scheme`` for the period (both days included), as a draft."""
    _manage(actor)
    starts_on = clean_date(starts_on, "起始日期", field_name="starts_on")
    ends_on = clean_date(ends_on, "截止日期", field_name="ends_on")
    if ends_on < starts_on:
        raise ActionError("invalid", "截止日期不能早于起始日期。", "ends_on")
    if starts_on > timezone.localdate():
        raise ActionError("invalid", "考核期尚未开始，不能创建考核。", "starts_on")
    title = clean_text(title, "名称", required=False, limit=100, field_name="title") \
        or period_title(scheme, starts_on, ends_on)
    try:
        with transaction.atomic():
            return Assessment.objects.create(scheme=scheme, title=title, starts_on=starts_on,
                                             ends_on=ends_on, created_by=actor,
                                             created_at=at or timezone.now())
    except IntegrityError:
        raise ActionError("conflict", f"“{scheme.name}”已有 {starts_on:%Y-%m-%d} 至 "
                                      f"{ends_on:%Y-%m-%d} 的考核。", "starts_on") from None


def stale(assessment: Assessment) -> bool:
    """Has anything that counts changed since the scores were computed (an adjustment
    entered, an objection accepted, the scheme edited)?"""
    return assessment.computed_at is None or assessment.computed_revision != assessment.revision


def _changed(assessment: Assessment) -> None:
    """Something that counts changed: the scores need computing again."""
    Assessment.objects.filter(pk=assessment.pk).update(revision=F("revision") + 1)
    assessment.refresh_from_db(fields=["revision"])


def _spec(indicator: Indicator) -> scoring.Spec:
    kind = registry.REGISTRY.get(indicator.key)
    if kind is None:
        raise ActionError("invalid", f"指标“{indicator.label}”已不在指标库中，请修改考核方案。")
    return scoring.Spec(indicator.key, indicator.label, indicator.weight, indicator.rule,
                        indicator.params, indicator.when_empty, kind.measure, kind.lower_better,
                        kind.noun, kind.empty_text)


Report = Callable[[int], None]


def compute(actor, assessment: Assessment, report: Report | None = None,
            at=None) -> Assessment:
    """Recompute every score of the assessment: the indicators measured from the data
    (``report(percent)`` after each), then all scores, lines and ranks written in one
    transaction. Adjustments (and those of accepted objections) count as lines of their
    own. A final assessment is never recomputed."""
    _manage(actor)
    assessment = Assessment.objects.select_related("scheme").get(pk=assessment.pk)
    _not_final(assessment, "重新计算")
    scheme = assessment.scheme
    found = list(scheme.indicators.order_by("sort_order", "id"))
    units = list(scheme.units.order_by("path"))
    if not found:
        raise ActionError("invalid", "考核方案还没有考核指标。")
    if not units:
        raise ActionError("invalid", "考核方案还没有考核单位。")
    specs = [_spec(indicator) for indicator in found]
    revision = assessment.revision  # what the data read below reflects
    measures = {}
    for index, indicator in enumerate(found):
        measures.update(registry.measure([indicator.key], units, assessment.starts_on,
                                         assessment.ends_on))
        if report:
            report(int(90 * (index + 1) / len(found)))
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        _not_final(locked, "重新计算")
        _write(locked, found, specs, units, measures)
        locked.computed_at = at or timezone.now()
        locked.computed_revision = revision
        locked.compute_state = ComputeState.DONE
        locked.progress = 100
        locked.compute_message = ""
        locked.save(update_fields=["computed_at", "computed_revision", "compute_state",
                                   "progress", "compute_message"])
    if report:
        report(100)
    return locked


def _write(assessment: Assessment, found: list[Indicator], specs: list[scoring.Spec],
           units: list[Unit], measures: dict) -> None:
    """Scores and lines updated in place (ids kept: objections point at lines)."""
    adjustments: dict[int, list[Adjustment]] = {}
    for adjustment in Adjustment.objects.filter(assessment=assessment).order_by("entered_at",
                                                                                "id"):
        adjustments.setdefault(adjustment.unit_id, []).append(adjustment)
    scores = {score.unit_id: score for score in Score.objects.filter(assessment=assessment)}
    Score.objects.filter(assessment=assessment).exclude(
        unit_id__in=[unit.pk for unit in units]).delete()
    existing: dict[tuple, ScoreLine] = {}
    for line in ScoreLine.objects.filter(score__assessment=assessment):
        existing[(line.score_id, "i", line.indicator_id) if line.adjustment_id is None
                 else (line.score_id, "a", line.adjustment_id)] = line
    totals, assessed, planned = {}, {}, []
    for unit in units:
        items = []
        for spec in specs:
            found_measure = measures[spec.key].get(unit.pk)
            items.append((spec, None if found_measure is None else scoring.Measured(
                found_measure.value, found_measure.numerator, found_measure.denominator)))
        lines = scoring.score_lines(items)
        count = sum(1 for line in lines if line.assessed)
        total = sum((line.points for line in lines), scoring.ZERO)
        extra = adjustments.get(unit.pk, [])
        total += sum((adjustment.points for adjustment in extra), scoring.ZERO)
        totals[unit.pk] = total if count else None
        assessed[unit.pk] = count
        planned.append((unit, lines, extra, total))
    ranks = scoring.competition_ranks(totals)
    keep, new_lines, changed = set(), [], []
    fields = ["label", "weight", "assessed", "value", "numerator", "denominator", "points",
              "explanation", "records_url", "sort_order"]
    for unit, lines, extra, total in planned:
        score = scores.get(unit.pk) or Score(assessment=assessment, unit=unit)
        score.total, score.rank, score.assessed = total, ranks[unit.pk], assessed[unit.pk]
        score.save()
        for order, (indicator, line) in enumerate(zip(found, lines, strict=True)):
            got = measures[indicator.key].get(unit.pk)
            values = {"label": line.label, "weight": line.weight, "assessed": line.assessed,
                      "value": None if got is None or got.value is None
                      else got.value.quantize(Decimal("0.0001")),
                      "numerator": got.numerator if got else None,
                      "denominator": got.denominator if got else None,
                      "points": line.points, "explanation": line.explanation,
                      "records_url": got.records_url if got else "", "sort_order": order}
            _place(existing, keep, new_lines, changed, (score.pk, "i", indicator.pk),
                   ScoreLine(score=score, indicator=indicator), values)
        for order, adjustment in enumerate(extra, start=len(found)):
            values = {"label": "加分" if adjustment.points > 0 else "扣分", "weight": None,
                      "assessed": True, "value": None, "numerator": None, "denominator": None,
                      "points": adjustment.points,
                      "explanation": scoring.adjustment_text(adjustment.points,
                                                             adjustment.reason),
                      "records_url": reverse("console:assessment_adjustments",
                                             args=[assessment.pk]) + f"#adjustment-{adjustment.pk}",
                      "sort_order": order}
            _place(existing, keep, new_lines, changed, (score.pk, "a", adjustment.pk),
                   ScoreLine(score=score, adjustment=adjustment), values)
    ScoreLine.objects.filter(pk__in=[line.pk for key, line in existing.items()
                                     if key not in keep]).delete()
    if changed:
        ScoreLine.objects.bulk_update(changed, fields, batch_size=500)
    if new_lines:
        ScoreLine.objects.bulk_create(new_lines, batch_size=500)


def _place(existing, keep, new_lines, changed, key, blank: ScoreLine, values: dict) -> None:
    line = existing.get(key)
    if line is None:
        line = blank
        new_lines.append(line)
    else:
        keep.add(key)
        changed.append(line)
    for name, value in values.items():
        setattr(line, name, value)


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("scheme").get(pk=assessment.pk)


@transaction.atomic
def publish(actor, assessment: Assessment, at=None) -> Assessment:
    """草稿 → 已公布: units see their scores and may object."""
    _manage(actor)
    assessment = _lock(assessment)
    if assessment.state != S.DRAFT:
        raise ActionError("wrong_state",
                          f"该考核当前为“{assessment.get_state_display()}”，不能公布。")
    _ready(assessment, "公布")
    at = at or timezone.now()
    assessment.state = S.PUBLISHED
    assessment.published_by, assessment.published_at = actor, at
    assessment.save(update_fields=["state", "published_by", "published_at"])
    heads = [row.user for row in RoleAssignment.objects.filter(
        role=Role.UNIT_HEAD, unit__in=assessment.scheme.units.all(), user__is_active=True)
        .select_related("user")]
    notify(heads, "assessment.published", f"考核结果已公布：{assessment.title}",
           "请查看本单位各项得分及其依据；如有异议，可在定稿前对具体得分项提出申诉。",
           link=assessment.get_absolute_url(), dedupe_key=f"assessment.published:{assessment.pk}",
           at=at)
    return assessment


def _ready(assessment: Assessment, label: str) -> None:
    if assessment.computing:
        raise ActionError("wrong_state", f"正在计算得分，请计算完成后再{label}。")
    if assessment.computed_at is None:
        raise ActionError("wrong_state", f"尚未计算得分，不能{label}。")
    if stale(assessment):
        raise ActionError("wrong_state",
                          f"计算后又有加减分、采纳的申诉或方案修改，请先重新计算再{label}。")


@transaction.atomic
def finalise(actor, assessment: Assessment, at=None) -> Assessment:
    """已公布 → 已定稿: after every objection is decided; nothing changes after it."""
    _manage(actor)
    assessment = _lock(assessment)
    if assessment.state != S.PUBLISHED:
        raise ActionError("wrong_state",
                          f"该考核当前为“{assessment.get_state_display()}”，不能定稿。")
    pending = Objection.objects.filter(assessment=assessment,
                                       state=ObjectionState.PENDING).count()
    if pending:
        raise ActionError("wrong_state", f"还有 {pending} 件申诉待处理，处理后才能定稿。")
    _ready(assessment, "定稿")
    assessment.state = S.FINAL
    assessment.finalised_by, assessment.finalised_at = actor, at or timezone.now()
    assessment.save(update_fields=["state", "finalised_by", "finalised_at"])
    return assessment


# --- adjustments ------------------------------------------------------------------------
def _points(value, max_score: Decimal, field: str = "points") -> Decimal:
    points = _decimal(value, "加减分", field, minimum=-max_score, maximum=max_score)
    if points == 0:
        raise ActionError("invalid", "加减分不能为 0。", field)
    return points


def _assessed_unit(assessment: Assessment, value) -> Unit:
    if isinstance(value, Unit):
        unit = value
    else:
        text = str(value or "").strip()
        unit = Unit.objects.filter(code=text).first() if text else None
    if unit is None or not assessment.scheme.units.filter(pk=unit.pk).exists():
        raise ActionError("invalid", "请选择本次考核的单位。", "unit")
    return unit


def add_adjustment(actor, assessment: Assessment, unit, points, reason: str, files=(),
                   at=None) -> Adjustment:
    """A deduction or bonus with its reason and evidence, counted at the next computation.
    Entries are never edited: a mistake is corrected by another entry."""
    _manage(actor)
    prepared = documents.prepare_many(files, "依据材料")
    with transaction.atomic():
        assessment = _lock(assessment)
        _not_final(assessment, "加减分")
        unit = _assessed_unit(assessment, unit)
        points = _points(points, assessment.scheme.max_score)
        reason = clean_text(reason, "加减分理由", limit=1000, field_name="reason")
        adjustment = Adjustment.objects.create(assessment=assessment, unit=unit, points=points,
                                               reason=reason, entered_by=actor,
                                               entered_at=at or timezone.now())
        for each in prepared:
            documents.attach(AdjustmentFile(adjustment=adjustment), each).save()
        _changed(assessment)
    return adjustment


# --- objections ----------------------------------------------------------------------------
def may_object(user, line: ScoreLine) -> bool:
    return access.can(user, "objection.file", line.score)


def file_objection(actor, line: ScoreLine, text: str, files=(), at=None) -> Objection:
    """A unit head's 申诉 against one line of their unit's score, while the assessment is
    published; one pending objection per line."""
    line = ScoreLine.objects.select_related("score__unit", "score__assessment").get(pk=line.pk)
    if not may_object(actor, line):
        raise ActionError("forbidden", "只有本单位负责人可以对本单位的得分提出申诉。")
    prepared = documents.prepare_many(files, "申诉材料")
    text = clean_text(text, "申诉理由", limit=2000, field_name="text")
    at = at or timezone.now()
    with transaction.atomic():
        assessment = _lock(line.score.assessment)
        if assessment.state != S.PUBLISHED:
            raise ActionError("wrong_state", "考核结果公布后、定稿前才能申诉。")
        pending = Objection.objects.filter(line=line, state=ObjectionState.PENDING).first()
        if pending is not None:
            raise ActionError("conflict", f"该项已有{timezone.localtime(pending.filed_at):%m月%d日}"
                                          "提出的申诉待处理，请等待处理结果。")
        objection = Objection.objects.create(
            assessment=assessment, unit=line.score.unit, line=line, line_label=line.label,
            line_points=line.points, text=text, filed_by=actor, filed_at=at)
        for each in prepared:
            documents.attach(ObjectionFile(objection=objection), each).save()
        notify(_deciders(), "assessment.objection", f"考核申诉：{line.score.unit.display_name}",
               f"{assessment.title}·{line.label}：{text[:100]}",
               link=reverse("console:objections") + f"#objection-{objection.pk}", at=at)
    return objection


def _deciders() -> list:
    return [row.user for row in RoleAssignment.objects.filter(
        Q(role__in=[Role.OFFICE, Role.PARTY]), unit__isnull=True, user__is_active=True)
        .select_related("user")]


def _decide(actor, objection: Objection) -> Objection:
    if not may_decide(actor):
        raise ActionError("forbidden", "您没有处理申诉的权限。")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.state != ObjectionState.PENDING:
        decided = timezone.localtime(objection.decided_at)
        raise ActionError("wrong_state", f"该申诉已于{decided:%Y-%m-%d %H:%M}处理"
                                         f"（{objection.get_state_display()}）。")
    assessment = _lock(objection.assessment)
    _not_final(assessment, "处理申诉")
    objection.assessment = assessment
    return objection


def _tell_unit(objection: Objection, at) -> None:
    notify([objection.filed_by], "assessment.objection_decided",
           f"申诉{objection.get_state_display()}：{objection.line_label}",
           objection.reason or "", link=reverse("console:assessment_score", args=[
               objection.assessment_id, objection.unit_id]), at=at)


@transaction.atomic
def accept(actor, objection: Objection, reason: str = "", points="", at=None) -> Objection:
    """采纳: with ``points``, an adjustment (±) for the unit carrying the decision's
    reason; otherwise the office has corrected the data. Either way the ranking changes at
    the next computation."""
    objection = _decide(actor, objection)
    at = at or timezone.now()
    reason = clean_text(reason, "处理意见", required=False, limit=1000, field_name="reason")
    if points not in (None, ""):
        objection.adjustment = Adjustment.objects.create(
            assessment=objection.assessment, unit=objection.unit,
            points=_points(points, objection.assessment.scheme.max_score),
            reason=f"申诉采纳（{objection.line_label}）" + (f"：{reason}" if reason else ""),
            entered_by=actor, entered_at=at)
    objection.state = ObjectionState.ACCEPTED
    objection.reason = reason
    objection.decided_by, objection.decided_at = actor, at
    objection.save(update_fields=["state", "reason", "decided_by", "decided_at", "adjustment"])
    _changed(objection.assessment)
    _tell_unit(objection, at)
    return objection


@transaction.atomic
def reject(actor, objection: Objection, reason: str, at=None) -> Objection:
    """不予采纳, with the reason the unit is told."""
    objection = _decide(actor, objection)
    at = at or timezone.now()
    objection.reason = clean_text(reason, "不予采纳的理由", limit=1000, field_name="reason")
    objection.state = ObjectionState.REJECTED
    objection.decided_by, objection.decided_at = actor, at
    objection.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    _tell_unit(objection, at)
    return objection
