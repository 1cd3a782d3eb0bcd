"""Every change to the enterprise register and its pairings (docs/campaign.md,
"enterprises").

The pattern of ``activities.actions``: the capability is checked here, every input is
validated with a Chinese sentence naming the field (``ActionError``), and each change is
one transaction — a refused pairing leaves neither the pairing nor its cadres behind.

Who may: ``pairing.manage`` (office, party, leader, admin) keeps the register, the
pairings and the secondments; ``pairing.edit`` (also the paired unit's head) adds the
pairing's annual goals and marks them done — with evidence — or open again.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from lib import creditcode, phones
from lib.errors import ActionError, clean_date, clean_text
from org import access
from org.models import Unit

from .models import Enterprise, Pairing, PairingGoal, Secondment

MAX_CADRES = 20
TEXTS = {"name": ("企业名称", 100, True), "short_name": ("简称", 30, False),
         "industry": ("行业", 50, False), "address": ("地址", 200, False),
         "contact_name": ("联系人", 30, False), "note": ("备注", 2000, False)}


def _manage(by) -> None:
    if not access.can_bureau_wide(by, "pairing.manage"):
        raise ActionError("forbidden", "您没有管理挂钩企业的权限。")


# --- the register -------------------------------------------------------------------------
def save_enterprise(fields: dict, by, enterprise: Enterprise | None = None) -> Enterprise:
    """Create (``enterprise`` None) or update an enterprise of the register."""
    _manage(by)
    values = {name: clean_text(fields.get(name, ""), label, required=required, limit=limit,
                               field_name=name)
              for name, (label, limit, required) in TEXTS.items()}
    code = (fields.get("credit_code") or "").strip().upper()
    if code and not creditcode.is_valid(code):
        raise ActionError("invalid", "统一社会信用代码应为18位（数字及除I、O、Z、S、V以外的大写"
                                     "字母），且校验位正确。", "credit_code")
    phone = (fields.get("contact_phone") or "").strip()
    if phone and not phones.is_accepted(phone):
        raise ActionError("invalid", "联系电话格式不正确。", "contact_phone")
    values.update(credit_code=code, contact_phone=phone,
                  is_active=bool(fields.get("is_active", True)))
    others = Enterprise.objects.exclude(pk=enterprise.pk if enterprise else None)
    if others.filter(name=values["name"]).exists():
        raise ActionError("conflict", f"企业“{values['name']}”已在名录中。", "name")
    if code and others.filter(credit_code=code).exists():
        raise ActionError("conflict", f"统一社会信用代码 {code} 已属于名录中的另一家企业。",
                          "credit_code")
    try:
        with transaction.atomic():
            if enterprise is None:
                return Enterprise.objects.create(**values)
            for name, value in values.items():
                setattr(enterprise, name, value)
            enterprise.save()
            return enterprise
    except IntegrityError:  # a simultaneous save of the same name or code
        raise ActionError("conflict", "企业名称或统一社会信用代码已在名录中。", "name") from None


# --- pairings -----------------------------------------------------------------------------
def _year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ActionError("invalid", "请填写年度（如 2026）。", "year") from None
    latest = timezone.localdate().year + 1
    if not 2000 <= year <= latest:
        raise ActionError("invalid", f"年度应在 2000 至 {latest} 年之间。", "year")
    return year


def _cadres(values, label: str = "挂钩干部", field: str = "cadres") -> list:
    User = get_user_model()
    ids = set()
    for value in values or []:
        if isinstance(value, User):
            ids.add(value.pk)
        elif str(value).strip().isdigit():
            ids.add(int(value))
        elif str(value).strip():
            raise ActionError("invalid", f"{label}中有无效的账号。", field)
    if not ids:
        raise ActionError("invalid", f"请选择{label}。", field)
    if len(ids) > MAX_CADRES:
        raise ActionError("invalid", f"{label}最多 {MAX_CADRES} 人。", field)
    found = list(User.objects.filter(pk__in=ids, is_active=True, staff__isnull=False))
    if len(found) != len(ids):
        raise ActionError("invalid", f"{label}中有无效或已停用的账号。", field)
    return found


def save_pairing(enterprise: Enterprise | None, unit: Unit | None, year, cadres, plan: str,
                 by, *, note: str = "", pairing: Pairing | None = None) -> Pairing:
    """Pair a unit and its cadres with an enterprise for a year (or change the pairing).
    One pairing per enterprise, unit and year."""
    if enterprise is None or not enterprise.is_active:
        raise ActionError("invalid", "请选择名录中启用的企业。", "enterprise")
    if unit is None or not unit.is_active:
        raise ActionError("invalid", "请选择有效的挂钩单位。", "unit")
    year = _year(year)
    candidate = Pairing(enterprise=enterprise, unit=unit, year=year)
    if not access.can(by, "pairing.manage", candidate) or (
            pairing is not None and not access.can(by, "pairing.manage", pairing)):
        raise ActionError("forbidden", "您没有管理该单位挂钩帮办的权限。")
    people = _cadres(cadres)
    plan = clean_text(plan, "帮办计划", required=False, limit=4000, field_name="plan")
    note = clean_text(note, "备注", required=False, limit=200, field_name="note")
    taken = Pairing.objects.filter(enterprise=enterprise, unit=unit, year=year)
    if pairing is not None:
        taken = taken.exclude(pk=pairing.pk)
    if taken.exists():
        raise ActionError("conflict", f"{unit.name} {year} 年已挂钩“{enterprise.name}”，"
                                      "同一单位同一年度只能挂钩同一企业一次。", "unit")
    now = timezone.now()
    try:
        with transaction.atomic():
            if pairing is None:
                pairing = Pairing(created_at=now)
            pairing.enterprise, pairing.unit, pairing.year = enterprise, unit, year
            pairing.plan, pairing.note, pairing.updated_at = plan, note, now
            pairing.save()
            pairing.cadres.set(people)
    except IntegrityError:  # the same pairing saved at the same moment
        raise ActionError("conflict", f"{unit.name} {year} 年已挂钩“{enterprise.name}”。",
                          "unit") from None
    return pairing


# --- annual goals -------------------------------------------------------------------------
def _edit(pairing: Pairing, by) -> None:
    if not access.can(by, "pairing.edit", pairing):
        raise ActionError("forbidden", "您没有编辑该挂钩帮办的权限。")


def add_goal(pairing: Pairing, title: str, due_on, by) -> PairingGoal:
    """One of the pairing's annual goals, due (optionally) within its year."""
    _edit(pairing, by)
    title = clean_text(title, "年度目标", limit=200, field_name="title")
    due = clean_date(due_on, "完成时限", required=False, field_name="due_on")
    if due is not None and due.year != pairing.year:
        raise ActionError("invalid", f"完成时限应在 {pairing.year} 年内。", "due_on")
    return PairingGoal.objects.create(pairing=pairing, title=title, due_on=due)


def complete_goal(goal: PairingGoal, done_on, evidence: str, by) -> PairingGoal:
    """Mark a goal done: the day and what shows it (完成情况) are both required."""
    _edit(goal.pairing, by)
    day = clean_date(done_on, "完成日期", field_name="done_on")
    if day > timezone.localdate():
        raise ActionError("invalid", "完成日期不能晚于今天。", "done_on")
    if day < dt.date(goal.pairing.year, 1, 1):
        raise ActionError("invalid", f"完成日期不能早于 {goal.pairing.year} 年。", "done_on")
    evidence = clean_text(evidence, "完成情况（佐证材料）", limit=2000, field_name="evidence")
    goal.done_on, goal.evidence = day, evidence
    goal.save(update_fields=["done_on", "evidence"])
    return goal


def reopen_goal(goal: PairingGoal, by) -> PairingGoal:
    """A goal marked done by mistake is open again (its evidence is kept for editing)."""
    _edit(goal.pairing, by)
    goal.done_on = None
    goal.save(update_fields=["done_on"])
    return goal


# --- secondments --------------------------------------------------------------------------
def save_secondment(fields: dict, by, secondment: Secondment | None = None) -> Secondment:
    """A cadre sent to an enterprise or a construction project (选派干部)."""
    _manage(by)
    raw = fields.get("cadre")
    cadre = _cadres([] if raw in (None, "") else [raw], "选派干部", "cadre")[0]
    enterprise = fields.get("enterprise") or None
    if enterprise is not None and not isinstance(enterprise, Enterprise):
        enterprise = Enterprise.objects.filter(pk=enterprise).first() \
            if str(enterprise).isdigit() else None
        if enterprise is None:
            raise ActionError("invalid", "请选择名录中的企业。", "enterprise")
    project = clean_text(fields.get("project_name", ""), "重点项目", required=False, limit=100,
                         field_name="project_name")
    if enterprise is None and not project:
        raise ActionError("invalid", "请选择派驻企业或填写重点项目名称（至少其一）。",
                          "enterprise")
    starts = clean_date(fields.get("starts_on"), "开始日期", field_name="starts_on")
    ends = clean_date(fields.get("ends_on"), "结束日期", required=False, field_name="ends_on")
    if ends is not None and ends < starts:
        raise ActionError("invalid", "结束日期不能早于开始日期。", "ends_on")
    duty = clean_text(fields.get("duty", ""), "工作职责", required=False, limit=200,
                      field_name="duty")
    secondment = secondment or Secondment()
    secondment.cadre, secondment.enterprise, secondment.project_name = cadre, enterprise, project
    secondment.starts_on, secondment.ends_on, secondment.duty = starts, ends, duty
    secondment.save()
    return secondment
