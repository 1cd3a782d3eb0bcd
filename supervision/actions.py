"""Every change to a supervision order (the pattern of ``demands.actions``: capability
check, row lock, validation with a Chinese error, one transaction, one append-only
event). Declared for the interfaces in ``supervision.catalogue``; ``issue`` creates an
order and has its own form. The sweep's overdue flag and escalation are in
``supervision.sweep``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from activities.models import Target
from demands.models import Demand
from inbox.actions import notify
from lib import documents
from lib import photos as photo_lib
from lib.errors import ActionError, clean_text
from org import access
from org.models import Role, Unit
from org.queries import users_with_role
from projects import commitments
from projects.models import Commitment, CommitmentKind, CommitmentSource, Project

from . import clock
from .models import (
    AWAITING_STATES,
    EventKind,
    OrderAnswer,
    OrderEvent,
    OrderFile,
    OrderPhoto,
    OrderSequence,
    OrderState,
    SubjectKind,
    SupervisionOrder,
)

S = OrderState
K = SubjectKind
MAX_DEMANDS = 500


def moment(at):
    """The action's time: ``at`` when given (the demo, tests), else now."""
    return at or timezone.now()


def _lock(order: SupervisionOrder) -> SupervisionOrder:
    # no joins (docs/architecture.md, decision 7)
    return SupervisionOrder.objects.select_for_update().get(pk=order.pk)


def _require(actor, capability: str, order: SupervisionOrder, label: str) -> None:
    if not access.can(actor, capability, order):
        raise ActionError("forbidden", f"您没有权限{label}。")


def _who(user) -> str:
    staff = getattr(user, "staff", None)
    return getattr(staff, "full_name", "") or user.get_username()


def _expect(order: SupervisionOrder, states, label: str) -> None:
    """Refuse in Chinese, naming who moved the order on and when, if someone did."""
    if order.state in states:
        return
    last = order.events.exclude(actor=None).select_related("actor__staff") \
        .order_by("-at", "-id").first()
    detail = ""
    if last is not None and last.kind != EventKind.ISSUE:
        detail = (f"（{_who(last.actor)} 已于 {timezone.localtime(last.at):%m-%d %H:%M} "
                  f"{last.get_kind_display()}）")
    raise ActionError("wrong_state",
                      f"该督办单当前为“{order.get_state_display()}”，不能{label}{detail}。")


def record(order: SupervisionOrder, kind: str, actor, at, from_state: str = "", *,
           reason: str = "", **data) -> OrderEvent:
    """Append the order's event (``to_state`` is the order's state now)."""
    return OrderEvent.objects.create(order=order, kind=kind, actor=actor, at=at,
                                     from_state=from_state, to_state=order.state,
                                     reason=reason, data=data)


def unit_people(unit: Unit) -> list:
    """Who answers for a unit: its heads and handlers (and those of the units above)."""
    return list(users_with_role([Role.UNIT_HEAD, Role.HANDLER], unit))


def unit_heads(unit: Unit) -> list:
    return list(users_with_role([Role.UNIT_HEAD], unit))


def _next_number(at: dt.datetime) -> str:
    """``DB`` + year + a six-digit sequence of that year, drawn under the year's row
    lock (``get_or_create`` survives two first orders of a year at once)."""
    year = timezone.localtime(at).year
    OrderSequence.objects.get_or_create(year=year)
    sequence = OrderSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"DB{year}{sequence.last:06d}"


# --- checked values ---------------------------------------------------------------------
def _unit(value) -> Unit | None:
    if value in (None, ""):
        return None
    unit = value if isinstance(value, Unit) else Unit.objects.filter(
        code=str(value).strip()).first()
    if unit is None or not unit.is_active:
        raise ActionError("invalid", "请选择有效的被督办单位。", "unit")
    return unit


def _deadline(value, at: dt.datetime) -> dt.datetime:
    if value in (None, ""):
        return clock.default_deadline(at)
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text) if len(text) == 10 \
                else dt.datetime.fromisoformat(text)
        except ValueError:
            raise ActionError("invalid", "反馈期限格式应为 2026-12-10 17:30。",
                              "deadline") from None
    if not isinstance(value, dt.datetime):  # a day: the end of its working hours
        value = clock.end_of_day(value)
    elif timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= at:
        raise ActionError("invalid", "反馈期限必须晚于下达时间。", "deadline")
    return value


def _demands(actor, values) -> list[Demand]:
    found, numbers = [], []
    for value in values or []:
        if isinstance(value, Demand):
            found.append(value)
        else:
            numbers.append(str(value).strip().upper())
    if numbers:
        by_number = {d.number: d for d in Demand.objects.filter(number__in=numbers)
                     .select_related("current_unit")}
        for number in numbers:
            if number not in by_number:
                raise ActionError("invalid", f"找不到诉求 {number}。", "demands")
            found.append(by_number[number])
    unique = list({d.pk: d for d in found}.values())
    if len(unique) > MAX_DEMANDS:
        raise ActionError("invalid", f"一张督办单最多涉及 {MAX_DEMANDS} 条诉求。", "demands")
    visible = set(access.filter_for(actor, "demand.view", Demand.objects.filter(
        pk__in=[d.pk for d in unique])).values_list("pk", flat=True))
    for demand in unique:
        if demand.pk not in visible:
            raise ActionError("invalid", f"找不到诉求 {demand.number}。", "demands")
    return unique


def _by_pk(model, value, label: str, field: str):
    if value in (None, ""):
        raise ActionError("invalid", f"请选择{label}。", field)
    if isinstance(value, model):
        return value
    found = model.objects.filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise ActionError("invalid", f"找不到该{label}。", field)
    return found


def _subject(actor, kind: str, *, demands, criteria, project, target, commitment, finding,
             finding_place) -> tuple[dict, Unit | None, list[Demand]]:
    """The subject's fields, the unit it points to (the default addressee) and its
    demands, checked."""
    criteria = clean_text(criteria, "筛选条件", required=False, limit=200,
                          field_name="criteria")
    if kind == K.DEMAND:
        found = _demands(actor, demands)
        if len(found) != 1:
            raise ActionError("invalid", "请填写一个诉求编号。", "demands")
        return {}, found[0].current_unit, found
    if kind == K.DEMANDS:
        found = _demands(actor, demands)
        if not found:
            raise ActionError("invalid", "没有符合条件的诉求，无需督办。", "demands")
        if not criteria:
            raise ActionError("invalid", "请写明这批诉求的筛选条件（如“暴露垃圾类超期”）。",
                              "criteria")
        units = {d.current_unit_id for d in found}
        unit = found[0].current_unit if len(units) == 1 else None
        return {"criteria": criteria}, unit, found
    if kind == K.PROJECT:
        project = _by_pk(Project, project, "实事项目", "project")
        if not access.can(actor, "project.view", project):
            raise ActionError("invalid", "找不到该实事项目。", "project")
        return {"project": project}, project.responsible_unit, []
    if kind == K.TARGET:
        target = _by_pk(Target, target, "目标任务", "target")
        if not criteria:
            raise ActionError("invalid", "请写明进度滞后的对象和完成情况。", "criteria")
        return {"target": target, "criteria": criteria}, None, []
    if kind == K.COMMITMENT:
        commitment = _by_pk(Commitment, commitment, "承诺", "commitment")
        if not access.can(actor, "commitment.view", commitment):
            raise ActionError("invalid", "找不到该承诺。", "commitment")
        return {"commitment": commitment}, commitment.unit, []
    if kind == K.FINDING:
        return {"finding": clean_text(finding, "检查发现的问题", limit=2000,
                                      field_name="finding"),
                "finding_place": clean_text(finding_place, "检查地点", required=False,
                                            limit=200, field_name="finding_place")}, None, []
    raise ActionError("invalid", "请选择督办事项类型。", "subject_kind")


# --- issue ------------------------------------------------------------------------------
@transaction.atomic
def issue(actor, *, subject_kind: str, title: str, requirement: str, unit=None,
          deadline=None, demands=(), criteria: str = "", project=None, target=None,
          commitment=None, finding: str = "", finding_place: str = "", photo_files=(),
          at=None) -> SupervisionOrder:
    """Issue an order to ``unit`` (by default the unit the subject points to: the
    demand's current unit, the project's responsible unit, the commitment's unit) about
    one subject. The unit's heads and handlers are told through the inbox."""
    at = moment(at)
    fields, pointed, found = _subject(
        actor, subject_kind, demands=demands, criteria=criteria, project=project,
        target=target, commitment=commitment, finding=finding, finding_place=finding_place)
    unit = _unit(unit) or pointed
    if unit is None:
        raise ActionError("invalid", "请选择被督办单位。", "unit")
    if not access.can(actor, "order.issue", SupervisionOrder(unit=unit)):
        raise ActionError("forbidden", "您没有向该单位下达督办单的权限。")
    for demand in found:
        if not demand.current_unit.path.startswith(unit.path):
            raise ActionError("invalid", f"诉求 {demand.number} 目前由"
                                         f"{demand.current_unit.display_name}办理，"
                                         f"不在{unit.display_name}。", "demands")
    title = clean_text(title, "标题", limit=100, field_name="title")
    requirement = clean_text(requirement, "督办要求", limit=2000, field_name="requirement")
    deadline = _deadline(deadline, at)
    prepared = photo_lib.prepare_many(photo_files, "现场照片") \
        if subject_kind == K.FINDING else []
    order = SupervisionOrder.objects.create(
        number=_next_number(at), unit=unit, subject_kind=subject_kind, title=title,
        requirement=requirement, deadline=deadline, issued_by=actor, issued_at=at, **fields)
    if found:
        order.demands.set(found)
    for photo in prepared:
        photo_lib.attach(OrderPhoto(order=order, uploaded_at=at), photo).save()
    record(order, EventKind.ISSUE, actor, at, reason=requirement,
           subject=subject_kind, demands=len(found), photos=len(prepared),
           deadline=f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}")
    notify(unit_people(unit), "order.issued", f"督查督办单 {order.number}：{title}",
           f"{requirement}\n请于 {timezone.localtime(deadline):%Y-%m-%d %H:%M} 前反馈。",
           order.get_absolute_url(), dedupe_key=f"order-issued:{order.pk}", at=at)
    return order


# --- the catalogue's transitions ------------------------------------------------------------
@transaction.atomic
def answer(actor, order: SupervisionOrder, text: str, photos=(), files=(),
           at=None) -> SupervisionOrder:
    """The unit answers (again, after a return) with text and evidence; photos and files
    are all checked before anything is written."""
    at = moment(at)
    order = _lock(order)
    _require(actor, "order.answer", order, "反馈该督办单")
    _expect(order, AWAITING_STATES, "反馈")
    text = clean_text(text, "反馈内容", limit=4000, field_name="text")
    pictures = photo_lib.prepare_many(photos, "照片")
    attached = documents.prepare_many(files, "附件")
    round_ = order.answers.count() + 1
    reply = OrderAnswer.objects.create(order=order, round=round_, text=text,
                                       answered_by=actor, answered_at=at)
    for picture in pictures:
        photo_lib.attach(OrderPhoto(order=order, answer=reply, uploaded_at=at),
                         picture).save()
    for document in attached:
        documents.attach(OrderFile(order=order, answer=reply), document).save()
    from_state = order.state
    order.state, order.answered_at = S.ANSWERED, at
    if order.first_answered_at is None:
        order.first_answered_at = at
    order.save(update_fields=["state", "answered_at", "first_answered_at", "updated_at"])
    record(order, EventKind.ANSWER, actor, at, from_state, reason=text, round=round_,
           photos=len(pictures), files=len(attached), late=at > order.deadline)
    notify([order.issued_by, *users_with_role([Role.SUPERVISOR])], "order.answered",
           f"督办单已反馈：{order.number} {order.title}", text[:200],
           order.get_absolute_url(), dedupe_key=f"order-answered:{order.pk}:{round_}", at=at)
    return order


@transaction.atomic
def accept(actor, order: SupervisionOrder, note: str = "", at=None) -> SupervisionOrder:
    at = moment(at)
    order = _lock(order)
    _require(actor, "order.decide", order, "办结该督办单")
    _expect(order, (S.ANSWERED,), "办结")
    note = clean_text(note, "办结意见", required=False, limit=1000, field_name="note")
    order.state, order.closed_at = S.ACCEPTED, at
    order.save(update_fields=["state", "closed_at", "updated_at"])
    record(order, EventKind.ACCEPT, actor, at, S.ANSWERED, reason=note)
    notify(unit_people(order.unit), "order.accepted",
           f"督办单已办结：{order.number} {order.title}", note, order.get_absolute_url(),
           dedupe_key=f"order-accepted:{order.pk}", at=at)
    return order


@transaction.atomic
def send_back(actor, order: SupervisionOrder, reason: str, at=None) -> SupervisionOrder:
    """The answer is not enough: the unit answers again (the deadline stays)."""
    at = moment(at)
    order = _lock(order)
    _require(actor, "order.decide", order, "退回该督办单")
    _expect(order, (S.ANSWERED,), "退回")
    reason = clean_text(reason, "退回理由", limit=1000, field_name="reason")
    order.state = S.RETURNED
    order.save(update_fields=["state", "updated_at"])
    rounds = order.answers.count()
    record(order, EventKind.SEND_BACK, actor, at, S.ANSWERED, reason=reason, round=rounds)
    notify(unit_people(order.unit), "order.returned",
           f"督办单退回重新反馈：{order.number} {order.title}", reason,
           order.get_absolute_url(), dedupe_key=f"order-returned:{order.pk}:{rounds}", at=at)
    return order


@transaction.atomic
def cancel(actor, order: SupervisionOrder, reason: str, at=None) -> SupervisionOrder:
    at = moment(at)
    order = _lock(order)
    _require(actor, "order.issue", order, "撤销该督办单")
    _expect(order, AWAITING_STATES, "撤销")
    reason = clean_text(reason, "撤销原因", limit=1000, field_name="reason")
    from_state = order.state
    order.state, order.closed_at = S.CANCELLED, at
    order.save(update_fields=["state", "closed_at", "updated_at"])
    record(order, EventKind.CANCEL, actor, at, from_state, reason=reason)
    notify(unit_people(order.unit), "order.cancelled",
           f"督办单已撤销：{order.number} {order.title}", reason, order.get_absolute_url(),
           dedupe_key=f"order-cancelled:{order.pk}", at=at)
    return order


RECTIFIABLE_STATES = (S.ISSUED, S.ANSWERED, S.RETURNED, S.ACCEPTED)


@transaction.atomic
def to_commitment(actor, order: SupervisionOrder, deadline, content: str = "",
                  at=None) -> SupervisionOrder:
    """An inspection finding becomes the unit's rectification commitment (整改承诺),
    through ``projects.commitments.create`` (which checks its own permission and the
    deadline); the order keeps the link. One commitment per order."""
    at = moment(at)
    order = _lock(order)
    _require(actor, "order.decide", order, "将该督办单转为整改承诺")
    if order.subject_kind != K.FINDING:
        raise ActionError("invalid", "只有检查发现的问题可以转为整改承诺。")
    if order.rectification_id is not None:
        raise ActionError("conflict", f"该督办单已转为整改承诺“{order.rectification.title}”。")
    _expect(order, RECTIFIABLE_STATES, "转为整改承诺")
    if deadline in (None, ""):
        raise ActionError("invalid", "请填写整改时限。", "deadline")
    content = clean_text(content, "整改措施", required=False, limit=2000, field_name="content")
    if not content:
        latest = order.answers.order_by("-round").first()
        content = (latest.text if latest else f"针对督查发现的问题限期整改：{order.finding}")
        content = content[:2000]
    made = commitments.create(
        actor, kind=CommitmentKind.RECTIFICATION, unit=order.unit,
        title=f"{order.title[:96]}整改", content=content, source=CommitmentSource.SUPERVISION,
        source_note=f"督查督办单 {order.number}：{order.finding}"[:1000], deadline=deadline,
        at=at)
    order.rectification = made
    order.save(update_fields=["rectification", "updated_at"])
    record(order, EventKind.TO_COMMITMENT, actor, at, order.state, commitment=made.pk,
           deadline=f"{made.deadline:%Y-%m-%d}")
    return order
