"""Every change to campaigns, their phases and requirements, and the units' filings
(docs/campaign.md, "campaigns").

The pattern of ``projects.actions``: the capability is checked here, every input is
validated with a Chinese sentence naming the field (``ActionError``), uploads are all
checked (``lib.documents``) before anything is written, and each change is one
transaction — a refused change leaves nothing half-saved. A filing is never overwritten:
every submission is a new ``FilingVersion``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from inbox.actions import notify
from lib import documents
from lib.errors import ActionError, clean_date, clean_text
from org import access
from org.models import Role, RoleAssignment, Unit, UnitKind

from .dates import period_label, shifter
from .models import (
    Campaign,
    CampaignDocument,
    Filing,
    FilingAttachment,
    FilingVersion,
    GroupPosition,
    LeadingGroupMember,
    Phase,
    Reminder,
    Requirement,
    RequirementKind,
)
from .signals import campaign_copied

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
PARTICIPANT_KINDS = (UnitKind.OFFICE, UnitKind.SUBORDINATE, UnitKind.DISTRICT)
# the plan's five fields (目标任务, 创建标准, 序时进度, 推进措施, 牵头负责人): label, limit
PLAN_FIELDS = {"goals": ("目标任务", 5000), "standards": ("创建标准", 5000),
               "schedule": ("序时进度", 5000), "measures": ("推进措施", 5000),
               "lead": ("牵头负责人", 100)}


# --- who may ----------------------------------------------------------------------------
def may_manage(user) -> bool:
    """Campaigns are the bureau's: edited and copied by those who hold ``campaign.manage``
    over the whole bureau."""
    return access.can_bureau_wide(user, "campaign.manage")


def _manage(by) -> None:
    if not may_manage(by):
        raise ActionError("forbidden", "您无权管理创建活动。")


def _span(dated) -> str:
    return f"{dated.starts_on:%Y-%m-%d} 至 {dated.ends_on:%Y-%m-%d}"


# --- checked values ---------------------------------------------------------------------
def _code(value) -> str:
    code = (value or "").strip().lower()
    if not code:
        raise ActionError("invalid", "请填写活动代码。", "code")
    if not CODE.match(code):
        raise ActionError("invalid", "活动代码只能由小写字母、数字和连字符组成（2–40 个字符），"
                                     "如 sanmanyi-2026。", "code")
    return code


def _unit(value, label: str, field: str) -> Unit:
    if isinstance(value, Unit):
        unit = value
    else:
        unit = Unit.objects.filter(code=str(value or "").strip()).first() if value else None
    if unit is None or not unit.is_active:
        raise ActionError("invalid", f"请选择有效的{label}。", field)
    return unit


def default_participants():
    """Every active 处室, 局属单位 and 区分局 directly under the bureau."""
    return Unit.objects.filter(is_active=True, kind__in=PARTICIPANT_KINDS,
                               parent__kind=UnitKind.BUREAU).order_by("path")


def _participants(values) -> list[Unit]:
    units, codes = [], set()
    for value in values or []:
        if isinstance(value, Unit):
            units.append(value)
        elif str(value).strip():
            codes.add(str(value).strip())
    found = list(Unit.objects.filter(code__in=codes, is_active=True))
    if len(found) != len(codes):
        raise ActionError("invalid", "参加单位中有无效或已停用的单位。", "participants")
    return units + found


def _campaign_fields(fields: dict, campaign: Campaign | None) -> dict:
    values = {
        "name": clean_text(fields.get("name"), "活动名称", limit=100, field_name="name"),
        "motto": clean_text(fields.get("motto"), "主题", required=False, limit=200,
                            field_name="motto"),
        "description": clean_text(fields.get("description"), "说明", required=False,
                                  limit=5000, field_name="description"),
        "starts_on": clean_date(fields.get("starts_on"), "开始日期", field_name="starts_on"),
        "ends_on": clean_date(fields.get("ends_on"), "结束日期", field_name="ends_on"),
        "office_unit": _unit(fields.get("office_unit"), "领导小组办公室所在单位", "office_unit"),
    }
    if values["ends_on"] < values["starts_on"]:
        raise ActionError("invalid", "结束日期不能早于开始日期。", "ends_on")
    if campaign is None or "code" in fields:
        code = _code(fields.get("code"))
        if Campaign.objects.filter(code=code).exclude(pk=getattr(campaign, "pk", None)).exists():
            raise ActionError("invalid", f"活动代码“{code}”已被使用。", "code")
        values["code"] = code
    if campaign is not None:
        outside = campaign.phases.exclude(starts_on__gte=values["starts_on"],
                                          ends_on__lte=values["ends_on"]).first()
        if outside is not None:
            raise ActionError("invalid", f"阶段“{outside.name}”（{_span(outside)}）"
                                         "会落在活动起止日期之外，请先修改该阶段。", "starts_on")
        due = Requirement.objects.filter(phase__campaign=campaign, due_on__isnull=False) \
            .exclude(due_on__gte=values["starts_on"], due_on__lte=values["ends_on"]).first()
        if due is not None:
            raise ActionError("invalid", f"报送要求“{due.title}”的截止日期 {due.due_on:%Y-%m-%d} "
                                         "会落在活动起止日期之外，请先修改该要求。", "ends_on")
    return values


def _keep_document(campaign: Campaign, prepared, by, at) -> CampaignDocument:
    document = CampaignDocument(campaign=campaign, uploaded_by=by, uploaded_at=at)
    documents.attach(document, prepared)
    document.save()
    return document


# --- the campaign -----------------------------------------------------------------------
def create_campaign(fields: dict, by, document=None, participants=None, at=None) -> Campaign:
    """A new campaign. ``participants`` (units or unit codes) defaults to every 处室,
    局属单位 and 区分局; ``document`` is an uploaded 实施方案 (checked by content)."""
    _manage(by)
    values = _campaign_fields(fields, None)
    prepared = documents.prepare(document, "活动文件") if document else None
    units = _participants(participants) if participants is not None else None
    at = at or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.create(**values)
        campaign.participants.set(units if units is not None else default_participants())
        if prepared is not None:
            _keep_document(campaign, prepared, by, at)
    return campaign


def update_campaign(campaign: Campaign, fields: dict, by, document=None, participants=None,
                    at=None) -> Campaign:
    """Change a campaign. A new document is kept beside the old ones (the newest is
    shown; none is overwritten). Dates may not leave a phase or a due date outside."""
    _manage(by)
    prepared = documents.prepare(document, "活动文件") if document else None
    units = _participants(participants) if participants is not None else None
    at = at or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        values = _campaign_fields(fields, campaign)
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.save(update_fields=list(values))
        if units is not None:
            campaign.participants.set(units)
        if prepared is not None:
            _keep_document(campaign, prepared, by, at)
    return campaign


def set_participants(campaign: Campaign, units, by) -> Campaign:
    _manage(by)
    found = _participants(units)
    with transaction.atomic():
        campaign.participants.set(found)
    return campaign


# --- the leading group ------------------------------------------------------------------
def _position(value) -> str:
    if value not in GroupPosition.values:
        raise ActionError("invalid", "请选择职务。", "position")
    return value


def add_group_member(campaign: Campaign, user, position: str, responsibility: str, by
                     ) -> LeadingGroupMember:
    _manage(by)
    User = get_user_model()
    if not isinstance(user, User):
        user = User.objects.filter(pk=user).first() if str(user or "").isdigit() else None
    if user is None or not user.is_active:
        raise ActionError("invalid", "请选择有效的成员。", "user")
    position = _position(position)
    responsibility = clean_text(responsibility, "分工", required=False, limit=200,
                                field_name="responsibility")
    if campaign.leading_group.filter(user=user).exists():
        raise ActionError("invalid", "此人已在领导小组中。", "user")
    try:
        with transaction.atomic():
            return LeadingGroupMember.objects.create(campaign=campaign, user=user,
                                                     position=position,
                                                     responsibility=responsibility)
    except IntegrityError:
        raise ActionError("invalid", "此人已在领导小组中。", "user") from None


def update_group_member(member: LeadingGroupMember, position: str, responsibility: str, by
                        ) -> LeadingGroupMember:
    _manage(by)
    member.position = _position(position)
    member.responsibility = clean_text(responsibility, "分工", required=False, limit=200,
                                       field_name="responsibility")
    member.save(update_fields=["position", "responsibility"])
    return member


def remove_group_member(member: LeadingGroupMember, by) -> None:
    _manage(by)
    member.delete()


# --- phases and requirements ------------------------------------------------------------
def save_phase(campaign: Campaign, fields: dict, by, phase: Phase | None = None) -> Phase:
    """Create or change a phase: its dates inside the campaign's, overlapping no other
    phase, and still holding its requirements' monthly periods."""
    _manage(by)
    name = clean_text(fields.get("name"), "阶段名称", limit=30, field_name="name")
    description = clean_text(fields.get("description"), "工作要求", required=False,
                             limit=5000, field_name="description")
    starts_on = clean_date(fields.get("starts_on"), "开始日期", field_name="starts_on")
    ends_on = clean_date(fields.get("ends_on"), "结束日期", field_name="ends_on")
    if ends_on < starts_on:
        raise ActionError("invalid", "结束日期不能早于开始日期。", "ends_on")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if starts_on < campaign.starts_on or ends_on > campaign.ends_on:
            raise ActionError("invalid", f"阶段日期必须在活动起止日期之内（{_span(campaign)}）。",
                              "starts_on")
        overlapping = campaign.phases.filter(starts_on__lte=ends_on, ends_on__gte=starts_on) \
            .exclude(pk=getattr(phase, "pk", None)).first()
        if overlapping is not None:
            raise ActionError("invalid", f"阶段日期与“{overlapping.name}”"
                                         f"（{_span(overlapping)}）重叠。", "starts_on")
        if phase is None:
            order = (campaign.phases.aggregate(top=Max("order"))["top"] or 0) + 1
            phase = Phase(campaign=campaign, order=order)
        phase.name, phase.description = name, description
        phase.starts_on, phase.ends_on = starts_on, ends_on
        phase.save()
        # phases are numbered in date order
        ordered = list(campaign.phases.order_by("starts_on", "pk"))
        if [p.order for p in ordered] != list(range(1, len(ordered) + 1)):
            top = len(ordered) + 1000
            for number, each in enumerate(ordered, start=1):  # two passes: orders are unique
                Phase.objects.filter(pk=each.pk).update(order=top + number)
            for number, each in enumerate(ordered, start=1):
                Phase.objects.filter(pk=each.pk).update(order=number)
            phase.refresh_from_db(fields=["order"])
    return phase


def _requirement_fields(phase: Phase, fields: dict) -> dict:
    kind = fields.get("kind")
    if kind not in RequirementKind.values:
        raise ActionError("invalid", "请选择报送类型。", "kind")
    values = {
        "kind": kind,
        "title": clean_text(fields.get("title"), "名称", limit=100, field_name="title"),
        "guidance": clean_text(fields.get("guidance"), "报送要求", required=False, limit=5000,
                               field_name="guidance"),
        "due_on": None, "due_day": None,
    }
    campaign = phase.campaign
    if kind == RequirementKind.MONTHLY:
        raw = fields.get("due_day")
        try:
            day = int(str(raw).strip()) if raw not in (None, "") else 5
        except ValueError:
            raise ActionError("invalid", "次月报送日须为 1–28 的整数。", "due_day") from None
        if not 1 <= day <= 28:
            raise ActionError("invalid", "次月报送日须为 1–28 的整数。", "due_day")
        values["due_day"] = day
    else:
        due = clean_date(fields.get("due_on"), "报送截止日期", field_name="due_on")
        if not campaign.starts_on <= due <= campaign.ends_on:
            raise ActionError("invalid", "报送截止日期必须在活动起止日期之内"
                                         f"（{_span(campaign)}）。", "due_on")
        values["due_on"] = due
    return values


def save_requirement(phase: Phase, fields: dict, by, requirement: Requirement | None = None
                     ) -> Requirement:
    """Create or change what a phase requires of every participating unit. A one-off
    requirement is due on a date inside the campaign; a monthly one on a day (1–28) of the
    following month. Once a unit has filed, the kind and the due date stay as they were."""
    _manage(by)
    values = _requirement_fields(phase, fields)
    with transaction.atomic():
        if requirement is not None:
            requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
            if requirement.filings.exists() and (
                    values["kind"] != requirement.kind or values["due_on"] != requirement.due_on
                    or values["due_day"] != requirement.due_day):
                raise ActionError("invalid", "已有单位报送，不能再修改报送类型和截止日期。", "kind")
        else:
            requirement = Requirement(phase=phase)
        for name, value in values.items():
            setattr(requirement, name, value)
        requirement.save()
    return requirement


# --- copying ----------------------------------------------------------------------------
def copy_campaign(campaign: Campaign, starts_on, code: str, name: str, by) -> Campaign:
    """Next year's campaign from this one, in one transaction: the campaign with every
    phase, requirement, leading-group member and participant, ``copied_from`` set, its
    dates moved by ``campaigns.dates.shifter``; ``campaign_copied`` is sent inside the
    transaction so the apps above copy what they own (the targets). Filings, reminders,
    documents and records are not copied."""
    _manage(by)
    starts_on = clean_date(starts_on, "新活动开始日期", field_name="starts_on")
    code = _code(code)
    name = clean_text(name, "活动名称", limit=100, field_name="name")
    if Campaign.objects.filter(code=code).exists():
        raise ActionError("invalid", f"活动代码“{code}”已被使用。", "code")
    shift = shifter(campaign.starts_on, starts_on)
    with transaction.atomic():
        copy = Campaign.objects.create(
            code=code, name=name, motto=campaign.motto, description=campaign.description,
            starts_on=starts_on, ends_on=max(shift(campaign.ends_on), starts_on),
            office_unit=campaign.office_unit, copied_from=campaign)
        copy.participants.set(campaign.participants.all())
        previous_end = None
        for phase in campaign.phases.order_by("order").prefetch_related("requirements"):
            start, end = shift(phase.starts_on), shift(phase.ends_on)
            if previous_end is not None and start <= previous_end:  # 29 Feb → 28 Feb
                start = previous_end + dt.timedelta(days=1)
            start, end = max(start, copy.starts_on), min(max(end, start), copy.ends_on)
            previous_end = end
            new_phase = Phase.objects.create(campaign=copy, order=phase.order, name=phase.name,
                                             starts_on=start, ends_on=end,
                                             description=phase.description)
            Requirement.objects.bulk_create([
                Requirement(phase=new_phase, kind=r.kind, title=r.title,
                            due_on=min(max(shift(r.due_on), copy.starts_on), copy.ends_on)
                            if r.due_on else None,
                            due_day=r.due_day, guidance=r.guidance)
                for r in phase.requirements.all()])
        LeadingGroupMember.objects.bulk_create([
            LeadingGroupMember(campaign=copy, user_id=m.user_id, position=m.position,
                               responsibility=m.responsibility)
            for m in campaign.leading_group.all()])
        campaign_copied.send(sender=Campaign, source=campaign, copy=copy, shift=shift)
    return copy


# --- filing -----------------------------------------------------------------------------
def _period(requirement: Requirement, period) -> tuple[dt.date, dt.date]:
    day = clean_date(period, "期次", field_name="period")
    for each, due in requirement.periods():
        if each == day:
            return each, due
    raise ActionError("invalid", "该期次不属于这项报送要求。", "period")


def _participating(requirement: Requirement, unit: Unit) -> None:
    if not requirement.phase.campaign.participants.filter(pk=unit.pk).exists():
        raise ActionError("invalid", f"“{unit.name}”不是本次活动的参加单位，无需报送。", "unit")


def _filing_fields(requirement: Requirement, fields: dict) -> dict:
    if requirement.kind == RequirementKind.PLAN:
        values = {name: clean_text(fields.get(name), label, limit=limit, field_name=name)
                  for name, (label, limit) in PLAN_FIELDS.items()}
        values["content"] = ""
        return values
    return {"content": clean_text(fields.get("content"), "报送内容", limit=20000,
                                  field_name="content"),
            **dict.fromkeys(PLAN_FIELDS, "")}


def may_file(user, unit: Unit) -> bool:
    return access.can(user, "plan.file", unit)


def file(requirement: Requirement, unit: Unit, period, fields: dict, by, attachments=(),
         expected: int | None = None, at=None) -> FilingVersion:
    """A unit files one period of a requirement: the plan's five fields or a report's
    content, with attachments (checked by content before anything is written). The first
    filing creates the ``Filing`` — late when filed after the period's due date (the end
    of that day, local time); every filing adds a version and makes it current; nothing is
    overwritten. ``expected`` is the version number the form was built on: a form sent
    twice, or after someone else's revision, is refused (``conflict``) instead of adding a
    second version."""
    if not may_file(by, unit):
        raise ActionError("forbidden", f"您无权为“{unit.name}”报送材料。", "unit")
    _participating(requirement, unit)
    period, due_on = _period(requirement, period)
    values = _filing_fields(requirement, fields)
    note = clean_text(fields.get("note"), "修改说明", required=False, limit=200,
                      field_name="note")
    prepared = documents.prepare_many(attachments, "附件")
    at = at or timezone.now()
    with transaction.atomic():
        filing = Filing.objects.select_for_update().filter(
            requirement=requirement, unit=unit, period=period).first()
        if filing is None:
            try:
                with transaction.atomic():
                    filing = Filing.objects.create(
                        requirement=requirement, unit=unit, period=period, due_on=due_on,
                        first_filed_at=at, late=timezone.localtime(at).date() > due_on)
            except IntegrityError:  # filed by someone else a moment ago
                filing = Filing.objects.select_for_update().get(
                    requirement=requirement, unit=unit, period=period)
        number = filing.versions.aggregate(top=Max("number"))["top"] or 0
        if expected is not None and expected != number:
            raise ActionError("conflict", f"这份材料已有第{number}版，刚才的提交没有重复保存；"
                                          "如需修改，请在最新版本的基础上重新填写。", "expected")
        if number and not note:
            raise ActionError("invalid", "修改已报送的材料，请填写修改说明。", "note")
        version = FilingVersion.objects.create(filing=filing, number=number + 1, note=note,
                                               filed_by=by, filed_at=at, **values)
        for each in prepared:
            attachment = FilingAttachment(version=version)
            documents.attach(attachment, each)
            attachment.save()
        filing.current = version
        filing.save(update_fields=["current"])
    return version


# --- reminders --------------------------------------------------------------------------
def unit_heads(unit: Unit) -> list:
    """The unit's heads (单位负责人 scoped to that very unit), active."""
    return [row.user for row in RoleAssignment.objects.filter(
        role=Role.UNIT_HEAD, unit=unit, user__is_active=True).select_related("user")]


def remind(requirement: Requirement, unit: Unit, period, by, at=None) -> Reminder:
    """The office's 催报: once per requirement, unit and period; an inbox notice (and the
    configured senders) to the unit's heads. A second one is refused, saying when the
    first was sent."""
    if not access.can_bureau_wide(by, "plan.remind"):
        raise ActionError("forbidden", "您无权催报。")
    _participating(requirement, unit)
    period, due_on = _period(requirement, period)
    label = f"{requirement.title}" + (
        f"（{period_label(period, requirement.is_monthly)}）" if requirement.is_monthly else "")
    at = at or timezone.now()
    with transaction.atomic():
        existing = Reminder.objects.filter(requirement=requirement, unit=unit, period=period) \
            .first()
        if existing is None:
            if Filing.objects.filter(requirement=requirement, unit=unit, period=period).exists():
                raise ActionError("invalid", f"“{unit.name}”已报送{label}，无需催报。")
            heads = unit_heads(unit)
            if not heads:
                raise ActionError("invalid", f"“{unit.name}”没有单位负责人账号，无法催报。")
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(requirement=requirement, unit=unit,
                                                       period=period, sent_at=at, sent_by=by)
            except IntegrityError:
                existing = Reminder.objects.get(requirement=requirement, unit=unit,
                                                period=period)
        if existing is not None:
            sent = timezone.localtime(existing.sent_at)
            raise ActionError("conflict", f"已于{sent:%Y-%m-%d %H:%M}催报，不再重复发送。")
        campaign = requirement.phase.campaign
        notify(heads, "campaign.remind", f"催报：{label}",
               f"{campaign.name}·{requirement.phase.name}要求的{label}应于"
               f"{due_on:%Y年%m月%d日}前报送，请尽快报送。",
               link=reverse("console:filing", args=[requirement.pk, unit.code,
                                                    f"{period:%Y-%m-%d}"]),
               dedupe_key=f"campaign.remind:{requirement.pk}:{unit.pk}:{period:%Y-%m-%d}",
               at=at)
    return reminder
