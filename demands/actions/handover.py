"""The hand-overs of a demand: receipt (受理), dispatch (派遣, also by the routing model),
acceptance by the unit (签收), return (退单) and transfer (转办)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from inbox.actions import notify
from lib.errors import ActionError
from lib.errors import clean_text as _text
from org.models import Role, Unit

from .. import clock, signals
from ..models import (
    Demand,
    EventKind,
    State,
)
from ._common import (
    bureau,
    expect_state,
    get_intake_unit,
    lock,
    moment,
    record,
    require,
    unit_staff,
)


# --- the loop --------------------------------------------------------------------------
@transaction.atomic
def receive(actor, demand: Demand, at=None) -> Demand:
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.receive", demand, "受理")
    expect_state(demand, (State.SUBMITTED,), "受理")
    demand.state = State.RECEIVED
    demand.first_receiver = actor
    demand.received_at = at
    clock.start(demand, at, committed=True)
    demand.save(update_fields=["state", "first_receiver", "received_at", "deadline", "warn_at",
                               "committed_deadline", "sla_flag", "updated_at"])
    record(demand, EventKind.RECEIVE, actor, at, State.SUBMITTED)
    signals.demands_received.send(sender=Demand, demands=[demand])
    return demand


def _target_unit(unit) -> Unit:
    if isinstance(unit, Unit):
        target = unit
    else:
        target = Unit.objects.filter(pk=unit).first() if isinstance(unit, int) else \
            Unit.objects.filter(code=unit).first()
    if target is None or not target.is_active:
        raise ActionError("invalid", "请选择有效的责任单位。", "unit")
    return target


@transaction.atomic
def dispatch(actor, demand: Demand, unit, note: str = "", at=None) -> Demand:
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.dispatch", demand, "派遣")
    expect_state(demand, (State.RECEIVED,), "派遣")
    _expect_category(demand)
    target = _target_unit(unit)
    note = _text(note, "派遣说明", required=False, limit=500, field_name="note")
    return _dispatch(actor, demand, target, note, at)


def _expect_category(demand: Demand) -> None:
    """A unit is told what kind of matter it receives, and the committed time limit is
    the category's: a demand in 待分类 is classified before it is dispatched."""
    if demand.category_id is None:
        raise ActionError("wrong_state", "该诉求尚未分类，请先分类再派遣。", "category")


def _dispatch(actor, demand: Demand, target: Unit, note: str, at, **data) -> Demand:
    demand.state = State.DISPATCHED
    demand.current_unit = target
    demand.handler = None
    demand.dispatched_at = demand.dispatched_at or at
    demand.save(update_fields=["state", "current_unit", "handler", "dispatched_at",
                               "updated_at"])
    record(demand, EventKind.DISPATCH, actor, at, State.RECEIVED, unit=target, reason=note,
           **data)
    # One inbox item per demand and person: dispatched again after a return, it comes
    # back as new instead of a second copy.
    notify(unit_staff(target), "demand.dispatched", f"新派遣诉求 {demand.number}：{demand.title}",
           f"承诺办结时限 {timezone.localtime(demand.deadline):%Y-%m-%d %H:%M}，请及时签收。",
           demand.get_absolute_url(), dedupe_key=f"dispatched:{demand.pk}", renew=True, at=at)
    return demand


@transaction.atomic
def auto_dispatch(demand: Demand, unit, *, confidence: float, model_version: int,
                  at=None) -> Demand:
    """智能分派: the routing model dispatches without a person (the actor is the system,
    ``None``). Same state check, fields and notifications as ``dispatch``; the event's
    data says ``auto`` with the model's confidence and version, so every automatic
    dispatch can be told apart and audited."""
    at = moment(at)
    demand = lock(demand)
    expect_state(demand, (State.RECEIVED,), "智能分派")
    _expect_category(demand)
    target = _target_unit(unit)
    if not 0 <= confidence <= 1:
        raise ActionError("invalid", "置信度须在 0 到 1 之间。", "confidence")
    return _dispatch(None, demand, target, "", at, auto=True,
                     confidence=round(float(confidence), 4), model_version=int(model_version))


@transaction.atomic
def accept(actor, demand: Demand, at=None) -> Demand:
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.handle", demand, "签收")
    expect_state(demand, (State.DISPATCHED,), "签收")
    demand.state = State.HANDLING
    demand.handler = actor
    demand.accepted_at = at
    demand.save(update_fields=["state", "handler", "accepted_at", "updated_at"])
    record(demand, EventKind.ACCEPT, actor, at, State.DISPATCHED, unit=demand.current_unit)
    return demand


@transaction.atomic
def return_(actor, demand: Demand, reason: str, at=None) -> Demand:
    """退单: the unit says it is not theirs; back to dispatch, with the reason."""
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.handle", demand, "退单")
    expect_state(demand, (State.DISPATCHED, State.HANDLING), "退单")
    reason = _text(reason, "退单理由", limit=500, field_name="reason")
    from_state, from_unit = demand.state, demand.current_unit
    demand.state = State.RECEIVED
    demand.current_unit = get_intake_unit()
    demand.handler = None
    demand.accepted_at = None
    demand.return_count += 1
    demand.save(update_fields=["state", "current_unit", "handler", "accepted_at",
                               "return_count", "updated_at"])
    record(demand, EventKind.RETURN, actor, at, from_state, unit=from_unit, reason=reason)
    notify([*bureau(Role.DISPATCHER), demand.first_receiver], "demand.returned",
           f"诉求 {demand.number} 被{from_unit.display_name}退单", reason,
           demand.get_absolute_url(), at=at)
    return demand


@transaction.atomic
def transfer(actor, demand: Demand, unit, reason: str, at=None) -> Demand:
    """转办: straight to another unit (by dispatch, or by the current unit's head)."""
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.transfer", demand, "转办")
    expect_state(demand, (State.DISPATCHED, State.HANDLING), "转办")
    target = _target_unit(unit)
    if target.pk == demand.current_unit_id:
        raise ActionError("invalid", "转办单位与当前责任单位相同。", "unit")
    reason = _text(reason, "转办理由", limit=500, field_name="reason")
    from_state, from_unit = demand.state, demand.current_unit
    demand.state = State.DISPATCHED
    demand.current_unit = target
    demand.handler = None
    demand.accepted_at = None
    demand.save(update_fields=["state", "current_unit", "handler", "accepted_at", "updated_at"])
    record(demand, EventKind.TRANSFER, actor, at, from_state, unit=target, reason=reason,
           from_unit=from_unit.code)
    notify([user for user in unit_staff(target) if user != actor], "demand.dispatched",
           f"转办诉求 {demand.number}：{demand.title}", reason, demand.get_absolute_url(),
           dedupe_key=f"dispatched:{demand.pk}", renew=True, at=at)
    return demand


