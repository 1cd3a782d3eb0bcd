"""Every change to practical projects, milestones, updates and commitments (the pattern of
``demands.actions``: capability check, row lock, validation with a Chinese error, one
transaction, one append-only event). Declared for the interfaces in
``projects.catalogue``; the public's comments and ratings are in ``projects.public_actions``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demands.models import Demand
from lib import photos
from lib.errors import ActionError, clean_date, clean_text
from org import access
from org.models import Unit

from .models import (
    ACTIVE_STATES,
    FINAL_STATES,
    Milestone,
    MilestoneState,
    ProgressUpdate,
    Project,
    ProjectEvent,
    ProjectEventKind,
    ProjectPhoto,
    ProjectState,
)

S = ProjectState
K = ProjectEventKind
MAX_DEMANDS = 5000
MAX_KEYWORDS = 10
MAX_MILESTONES = 50


def moment(at):
    return at or timezone.now()


def today(at) -> dt.date:
    return timezone.localtime(at).date()


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def may(actor, capability: str, project: Project) -> bool:
    """A project without a responsible unit (a draft from a hotspot) is the office's: only
    people who hold the capability over the whole bureau act on it."""
    if project.responsible_unit_id is None:
        return access.can_bureau_wide(actor, capability)
    return access.can(actor, capability, project)


def _require(actor, capability: str, project: Project, label: str) -> None:
    if not may(actor, capability, project):
        raise ActionError("forbidden", f"您没有权限{label}。")


def _expect(project: Project, states, label: str) -> None:
    if project.state not in states:
        raise ActionError("wrong_state",
                          f"项目当前状态为“{project.get_state_display()}”，不能{label}。")


def record(project: Project, kind: str, actor, at, from_state: str = "", *,
           reason: str = "", **data) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, kind=kind, actor=actor, at=at,
                                       from_state=from_state, to_state=project.state,
                                       reason=reason, data=data)


# --- checked values ---------------------------------------------------------------------
def _date(value, label: str, field: str) -> dt.date | None:
    return clean_date(value, label, required=False, field_name=field)


def _budget(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ActionError("invalid", "预算必须是数字（万元）。", "budget") from None
    if number < 0 or number >= Decimal("100000000"):
        raise ActionError("invalid", "预算超出范围。", "budget")
    return number.quantize(Decimal("0.01"))


def _unit(value, label: str, field: str) -> Unit | None:
    if value in (None, ""):
        return None
    if isinstance(value, Unit):
        unit = value
    else:
        unit = Unit.objects.filter(code=str(value).strip()).first()
    if unit is None or not unit.is_active:
        raise ActionError("invalid", f"请选择有效的{label}。", field)
    return unit


def _leader(value):
    if value in (None, ""):
        return None
    User = get_user_model()
    user = value if isinstance(value, User) else User.objects.filter(
        username=str(value).strip()).first()
    if user is None or not user.is_active:
        raise ActionError("invalid", "请选择有效的牵头领导。", "lead_leader")
    return user


def _keywords(values) -> list[str]:
    words = []
    for word in values or []:
        word = str(word).strip()
        if len(word) > 20:
            raise ActionError("invalid", f"关键词“{word[:20]}…”太长（最多 20 字）。", "keywords")
        if word and word not in words:
            words.append(word)
    if len(words) > MAX_KEYWORDS:
        raise ActionError("invalid", f"关键词最多 {MAX_KEYWORDS} 个。", "keywords")
    return words


def _demands(actor, demand_ids) -> list[int]:
    try:
        ids = sorted({int(pk) for pk in demand_ids or []})
    except (TypeError, ValueError):
        raise ActionError("invalid", "诉求编号无效。", "demand_ids") from None
    if len(ids) > MAX_DEMANDS:
        raise ActionError("invalid", f"一个项目最多关联 {MAX_DEMANDS} 条诉求。", "demand_ids")
    visible = set(access.filter_for(actor, "demand.view", Demand.objects.filter(pk__in=ids))
                  .values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in visible]
    if missing:
        raise ActionError("not_found", f"有 {len(missing)} 条诉求不存在或您无权查看。",
                          "demand_ids")
    return ids


# --- the project's own fields ------------------------------------------------------------
EDITABLE = ("title", "background", "plan", "measures", "responsible_unit",
            "cooperating_units", "lead_leader", "budget", "deadline")


def _fields(values: dict, project: Project | None) -> dict:
    out = {}
    if "title" in values:
        out["title"] = clean_text(values["title"], "项目名称", limit=100, field_name="title")
    for name, label in (("background", "背景"), ("plan", "推进计划"), ("measures", "工作举措")):
        if name in values:
            out[name] = clean_text(values[name], label, required=False, limit=4000,
                                   field_name=name)
    if "responsible_unit" in values:
        out["responsible_unit"] = _unit(values["responsible_unit"], "责任单位",
                                        "responsible_unit")
    if "cooperating_units" in values:
        out["cooperating_units"] = [_unit(u, "配合单位", "cooperating_units")
                                    for u in values["cooperating_units"] or []]
    if "lead_leader" in values:
        out["lead_leader"] = _leader(values["lead_leader"])
    if "budget" in values:
        out["budget"] = _budget(values["budget"])
    if "deadline" in values:
        out["deadline"] = _date(values["deadline"], "完成时限", "deadline")
    deadline = out.get("deadline", project.deadline if project else None)
    if deadline is not None and project is not None:
        late = project.milestones.filter(due__gt=deadline).first()
        if late is not None:
            raise ActionError("invalid", f"完成时限不能早于里程碑“{late.title}”的计划日期"
                                         f"（{late.due:%Y-%m-%d}）。", "deadline")
    return out


def _apply(project: Project, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name == "cooperating_units":
            continue
        if getattr(project, name) != value:
            setattr(project, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def create(actor, *, title: str, background: str = "", plan: str = "", measures: str = "",
           responsible_unit=None, cooperating_units=(), lead_leader=None, budget=None,
           deadline=None, keywords=(), since=None, until=None, demand_ids=(),
           source: str = "blank", at=None) -> Project:
    """A practical project in 草稿: blank, from a hotspot (``keywords``, ``since``/``until``
    and its demands) or from demands selected in a queue."""
    at = moment(at)
    if not access.can_anywhere(actor, "project.create"):
        raise ActionError("forbidden", "您没有创建实事项目的权限。")
    fields = _fields({"title": title, "background": background, "plan": plan,
                      "measures": measures, "responsible_unit": responsible_unit,
                      "cooperating_units": cooperating_units, "lead_leader": lead_leader,
                      "budget": budget, "deadline": deadline}, None)
    since, until = _date(since, "开始日期", "since"), _date(until, "结束日期", "until")
    if since and until and since > until:
        raise ActionError("invalid", "开始日期不能晚于结束日期。", "since")
    if fields["deadline"] is not None and fields["deadline"] < today(at):
        raise ActionError("invalid", "完成时限不能早于今天。", "deadline")
    ids = _demands(actor, demand_ids)
    cooperating = fields.pop("cooperating_units")
    project = Project.objects.create(**fields, keywords=_keywords(keywords), since=since,
                                     until=until, created_by=actor, created_at=at)
    project.cooperating_units.set(cooperating)
    if ids:
        project.demands.set(ids)
    record(project, K.CREATE, actor, at, source=source, demands=len(ids))
    return project


@transaction.atomic
def edit(actor, project: Project, at=None, **values) -> Project:
    """Change the project's description. Its deadline is the promise made in public: once
    published, it moves only by 延期 (``delay``)."""
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.edit", project, "修改该项目")
    _expect(project, (S.DRAFT, *ACTIVE_STATES), "修改")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if project.state != S.DRAFT and "deadline" in values and \
            _date(values["deadline"], "完成时限", "deadline") != project.deadline:
        raise ActionError("invalid", "项目已公示，完成时限只能通过“延期”调整。", "deadline")
    fields = _fields(values, project)
    cooperating = fields.get("cooperating_units")
    changed = _apply(project, fields)
    if cooperating is not None and set(cooperating) != set(project.cooperating_units.all()):
        project.cooperating_units.set(cooperating)
        changed.append("cooperating_units")
    if changed:
        project.save()
        record(project, K.EDIT, actor, at, project.state, fields=changed)
    return project


@transaction.atomic
def link_demands(actor, project: Project, demand_ids, at=None) -> int:
    """Add demands behind the project (from a queue's selection). Returns how many new."""
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.edit", project, "修改该项目")
    _expect(project, (S.DRAFT, *ACTIVE_STATES), "关联诉求")
    ids = set(_demands(actor, demand_ids)) - set(project.demands.values_list("pk", flat=True))
    if ids:
        project.demands.add(*ids)
        record(project, K.LINK, actor, at, project.state, demands=len(ids))
    return len(ids)


# --- milestones -----------------------------------------------------------------------------
def _milestone_due(project: Project, due) -> dt.date:
    due = _date(due, "计划完成日期", "due")
    if due is None:
        raise ActionError("invalid", "请填写计划完成日期。", "due")
    if project.deadline is not None and due > project.deadline:
        raise ActionError("invalid", f"里程碑不能晚于项目完成时限（{project.deadline:%Y-%m-%d}）。",
                          "due")
    return due


@transaction.atomic
def add_milestone(actor, project: Project, title: str, due, owner_unit=None,
                  at=None) -> Milestone:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.edit", project, "修改该项目")
    _expect(project, (S.DRAFT, *ACTIVE_STATES), "增加里程碑")
    if project.milestones.count() >= MAX_MILESTONES:
        raise ActionError("invalid", f"一个项目最多 {MAX_MILESTONES} 个里程碑。")
    milestone = Milestone.objects.create(
        project=project, title=clean_text(title, "节点名称", limit=100, field_name="title"),
        due=_milestone_due(project, due),
        owner_unit=_unit(owner_unit, "负责单位", "owner_unit") or project.responsible_unit,
        sort_order=project.milestones.count())
    record(project, K.MILESTONE_ADD, actor, at, project.state, milestone=milestone.title,
           due=f"{milestone.due:%Y-%m-%d}")
    return milestone


@transaction.atomic
def edit_milestone(actor, milestone: Milestone, title: str, due, owner_unit=None,
                   at=None) -> Milestone:
    at = moment(at)
    project = _lock(milestone.project)
    _require(actor, "project.edit", project, "修改该项目")
    _expect(project, (S.DRAFT, *ACTIVE_STATES), "修改里程碑")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.state == MilestoneState.DONE:
        raise ActionError("wrong_state", "已完成的里程碑不能修改。")
    old_due = milestone.due
    milestone.title = clean_text(title, "节点名称", limit=100, field_name="title")
    milestone.due = _milestone_due(project, due)
    milestone.owner_unit = _unit(owner_unit, "负责单位", "owner_unit") or milestone.owner_unit
    if milestone.due >= today(at):
        milestone.overdue_flag = False
    milestone.save()
    record(project, K.MILESTONE_EDIT, actor, at, project.state, milestone=milestone.title,
           due=f"{milestone.due:%Y-%m-%d}", old_due=f"{old_due:%Y-%m-%d}")
    return milestone


def _keep_photos(project: Project, prepared, at, *, update=None, milestone=None) -> None:
    for item in prepared:
        photo = ProjectPhoto(project=project, update=update, milestone=milestone,
                             uploaded_at=at)
        photos.attach(photo, item)
        photo.save()


@transaction.atomic
def complete_milestone(actor, milestone: Milestone, evidence: str, photo_files=(),
                       at=None) -> Milestone:
    at = moment(at)
    prepared = photos.prepare_many(photo_files)  # all checked before anything is written
    project = _lock(milestone.project)
    _require(actor, "project.edit", project, "修改该项目")
    _expect(project, ACTIVE_STATES, "确认里程碑完成")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.state == MilestoneState.DONE:
        raise ActionError("wrong_state", "该里程碑已完成。")
    milestone.evidence = clean_text(evidence, "完成情况", limit=2000, field_name="evidence")
    milestone.state = MilestoneState.DONE
    milestone.done_at, milestone.done_by = at, actor
    milestone.overdue_flag = False
    milestone.save()
    _keep_photos(project, prepared, at, milestone=milestone)
    record(project, K.MILESTONE_DONE, actor, at, project.state, milestone=milestone.title,
           photos=len(prepared))
    return milestone


# --- the project's transitions (declared in projects.catalogue) ----------------------------
@transaction.atomic
def office_approve(actor, project: Project, note: str = "", at=None) -> Project:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.approve_office", project, "审核该项目")
    _expect(project, (S.DRAFT,), "审核")
    if project.office_approved_at is not None:
        raise ActionError("wrong_state", "办公室已审核过该项目。")
    _ready_for_public(project, at)
    project.office_approved_by, project.office_approved_at = actor, at
    project.save()
    record(project, K.OFFICE_APPROVE, actor, at, S.DRAFT,
           reason=clean_text(note, "审核意见", required=False, limit=500, field_name="note"))
    return project


def _ready_for_public(project: Project, at) -> None:
    """What a project needs before it is promised in public."""
    missing = [label for label, value in (
        ("责任单位", project.responsible_unit_id), ("完成时限", project.deadline),
        ("推进计划", project.plan), ("工作举措", project.measures)) if not value]
    if missing:
        raise ActionError("invalid", f"公示前请先填写：{'、'.join(missing)}。")
    if project.deadline < today(at):
        raise ActionError("invalid", "完成时限已过，请先修改。", "deadline")
    if not project.milestones.exists():
        raise ActionError("invalid", "公示前请至少安排一个里程碑。")


@transaction.atomic
def leader_approve(actor, project: Project, note: str = "", at=None) -> Project:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.approve", project, "批准该项目")
    _expect(project, (S.DRAFT,), "批准")
    if project.office_approved_at is None:
        raise ActionError("wrong_state", "请先由办公室审核。")
    _ready_for_public(project, at)
    project.leader_approved_by, project.leader_approved_at = actor, at
    project.state, project.published_at = S.PUBLISHED, at
    if project.lead_leader_id is None:
        project.lead_leader = actor
    project.save()
    record(project, K.LEADER_APPROVE, actor, at, S.DRAFT,
           reason=clean_text(note, "批示", required=False, limit=500, field_name="note"))
    return project


@transaction.atomic
def start(actor, project: Project, at=None) -> Project:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.edit", project, "推进该项目")
    _expect(project, (S.PUBLISHED,), "开始推进")
    project.state = S.IN_PROGRESS
    project.save()
    record(project, K.START, actor, at, S.PUBLISHED)
    return project


@transaction.atomic
def post_update(actor, project: Project, text: str, photo_files=(), at=None) -> ProgressUpdate:
    """A progress update; the first one of a published project starts it (推进中)."""
    at = moment(at)
    prepared = photos.prepare_many(photo_files)
    project = _lock(project)
    _require(actor, "project.edit", project, "发布该项目的进展")
    _expect(project, ACTIVE_STATES, "发布进展")
    update = ProgressUpdate.objects.create(
        project=project, text=clean_text(text, "进展内容", limit=2000, field_name="text"),
        posted_by=actor, posted_at=at)
    _keep_photos(project, prepared, at, update=update)
    from_state = project.state
    if project.state == S.PUBLISHED:
        project.state = S.IN_PROGRESS
        project.save()
    record(project, K.UPDATE, actor, at, from_state, update=update.pk, photos=len(prepared))
    return update


@transaction.atomic
def delay(actor, project: Project, reason: str, deadline, at=None) -> Project:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.edit", project, "申请该项目延期")
    _expect(project, (S.PUBLISHED, S.IN_PROGRESS), "延期")
    reason = clean_text(reason, "延期原因", limit=1000, field_name="reason")
    new = _date(deadline, "新的完成时限", "deadline")
    if new is None:
        raise ActionError("invalid", "请填写新的完成时限。", "deadline")
    if new <= project.deadline:
        raise ActionError("invalid", f"新的完成时限应晚于原时限（{project.deadline:%Y-%m-%d}）。",
                          "deadline")
    old, from_state = project.deadline, project.state
    project.deadline, project.delay_reason = new, reason
    project.state, project.overdue_flag = S.DELAYED, False
    project.save()
    record(project, K.DELAY, actor, at, from_state, reason=reason,
           old_deadline=f"{old:%Y-%m-%d}", deadline=f"{new:%Y-%m-%d}")
    return project


@transaction.atomic
def resume(actor, project: Project, note: str = "", at=None) -> Project:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.edit", project, "推进该项目")
    _expect(project, (S.DELAYED,), "恢复推进")
    project.state = S.IN_PROGRESS
    project.save()
    record(project, K.RESUME, actor, at, S.DELAYED,
           reason=clean_text(note, "说明", required=False, limit=500, field_name="note"))
    return project


@transaction.atomic
def complete(actor, project: Project, summary: str, at=None) -> Project:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.edit", project, "确认该项目完成")
    _expect(project, (S.IN_PROGRESS, S.DELAYED), "确认完成")
    open_ones = project.milestones.exclude(state=MilestoneState.DONE).count()
    if open_ones:
        raise ActionError("wrong_state", f"还有 {open_ones} 个里程碑未完成。")
    from_state = project.state
    project.summary = clean_text(summary, "完成情况", limit=2000, field_name="summary")
    project.state, project.completed_at, project.overdue_flag = S.DONE, at, False
    project.save()
    record(project, K.COMPLETE, actor, at, from_state, reason=project.summary)
    return project


@transaction.atomic
def cancel(actor, project: Project, reason: str, at=None) -> Project:
    at = moment(at)
    project = _lock(project)
    _require(actor, "project.approve", project, "撤销该项目")
    if project.state in FINAL_STATES:
        raise ActionError("wrong_state",
                          f"项目当前状态为“{project.get_state_display()}”，不能撤销。")
    from_state = project.state
    project.cancel_reason = clean_text(reason, "撤销原因", limit=1000, field_name="reason")
    project.state, project.overdue_flag = S.CANCELLED, False
    project.save()
    record(project, K.CANCEL, actor, at, from_state, reason=project.cancel_reason)
    return project
