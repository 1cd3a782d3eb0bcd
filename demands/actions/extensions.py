"""Extensions of the committed time limit (延期): a unit asks, dispatch or the
supervision office decides; the new deadline comes from ``demands.clock``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from inbox.actions import notify
from lib.errors import ActionError
from lib.errors import clean_text as _text
from org.models import Role

from .. import clock
from ..models import (
    Demand,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    State,
)
from ._common import (
    bureau,
    expect_state,
    lock,
    moment,
    record,
    require,
)

MAX_EXTENSION_DAYS = 30


@transaction.atomic
def request_extension(actor, demand: Demand, extra_days: int, reason: str, at=None):
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.handle", demand, "申请延期")
    expect_state(demand, (State.HANDLING, State.FOLLOW_UP), "申请延期")
    if not isinstance(extra_days, int) or not 1 <= extra_days <= MAX_EXTENSION_DAYS:
        raise ActionError("invalid", f"延长天数须为 1 至 {MAX_EXTENSION_DAYS} 个工作日。",
                          "extra_days")
    reason = _text(reason, "延期理由", limit=500, field_name="reason")
    if demand.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise ActionError("conflict", "已有一项延期申请在审批中。")
    request = ExtensionRequest.objects.create(demand=demand, requested_by=actor,
                                              requested_at=at, extra_days=extra_days,
                                              reason=reason)
    record(demand, EventKind.REQUEST_EXTENSION, actor, at, demand.state, reason=reason,
           extra_days=extra_days, request=request.pk)
    notify(bureau(Role.DISPATCHER, Role.SUPERVISOR), "demand.extension_requested",
           f"诉求 {demand.number} 申请延期 {extra_days} 个工作日", reason,
           demand.get_absolute_url(), at=at)
    return request


def _pending_extension(demand: Demand) -> ExtensionRequest:
    request = demand.extension_requests.select_for_update().filter(
        status=ExtensionStatus.PENDING).first()
    if request is None:
        raise ActionError("wrong_state", "该诉求没有待审批的延期申请。")
    return request


@transaction.atomic
def approve_extension(actor, demand: Demand, note: str = "", at=None) -> Demand:
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.approve_extension", demand, "批准延期")
    request = _pending_extension(demand)
    note = _text(note, "审批意见", required=False, limit=500, field_name="note")
    old = clock.extend(demand, request.extra_days, at)
    demand.extension_count += 1
    demand.save(update_fields=["deadline", "warn_at", "committed_deadline", "sla_flag",
                               "extension_count", "updated_at"])
    request.status, request.decided_by, request.decided_at = ExtensionStatus.APPROVED, actor, at
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(demand, EventKind.APPROVE_EXTENSION, actor, at, demand.state, reason=note,
           old_deadline=old.isoformat(), new_deadline=demand.deadline.isoformat())
    notify([request.requested_by], "demand.extension_decided",
           f"诉求 {demand.number} 延期已批准",
           f"新的办结时限：{timezone.localtime(demand.deadline):%Y-%m-%d %H:%M}",
           demand.get_absolute_url(), at=at)
    return demand


@transaction.atomic
def refuse_extension(actor, demand: Demand, note: str, at=None) -> Demand:
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.approve_extension", demand, "驳回延期")
    request = _pending_extension(demand)
    note = _text(note, "驳回理由", limit=500, field_name="note")
    request.status, request.decided_by, request.decided_at = ExtensionStatus.REFUSED, actor, at
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(demand, EventKind.REFUSE_EXTENSION, actor, at, demand.state, reason=note)
    notify([request.requested_by], "demand.extension_decided",
           f"诉求 {demand.number} 延期申请被驳回", note,
           demand.get_absolute_url(), at=at)
    return demand

