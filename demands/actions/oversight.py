"""Oversight of a running demand: urging (催办) and supervision orders (督办)."""

from __future__ import annotations

from django.db import transaction

from inbox.actions import notify
from lib.errors import ActionError
from lib.errors import clean_text as _text

from ..models import (
    CLOCK_STATES,
    OPEN_STATES,
    Demand,
    EventKind,
    SupervisionOrder,
)
from ._common import (
    expect_state,
    lock,
    moment,
    record,
    require,
    unit_heads,
    unit_staff,
)


@transaction.atomic
def urge(actor, demand: Demand, note: str = "", at=None) -> Demand:
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.urge", demand, "催办")
    expect_state(demand, CLOCK_STATES, "催办")
    note = _text(note, "催办说明", required=False, limit=500, field_name="note")
    record(demand, EventKind.URGE, actor, at, demand.state, unit=demand.current_unit,
           reason=note)
    notify([demand.handler] if demand.handler else unit_staff(demand.current_unit),
           "demand.urged", f"催办：诉求 {demand.number} {demand.title}", note,
           demand.get_absolute_url(), at=at)
    return demand


@transaction.atomic
def supervise(actor, demand: Demand, instruction: str, respond_by=None, at=None):
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.supervise", demand, "督办")
    expect_state(demand, OPEN_STATES, "督办")
    instruction = _text(instruction, "督办要求", limit=1000, field_name="instruction")
    if respond_by is not None and respond_by <= at:
        raise ActionError("invalid", "反馈期限必须晚于现在。", "respond_by")
    order = SupervisionOrder.objects.create(demand=demand, issued_by=actor, issued_at=at,
                                            instruction=instruction, respond_by=respond_by)
    record(demand, EventKind.SUPERVISE, actor, at, demand.state, unit=demand.current_unit,
           reason=instruction, order=order.pk)
    notify([*unit_heads(demand.current_unit), demand.handler], "demand.supervised",
           f"督办：诉求 {demand.number} {demand.title}", instruction,
           demand.get_absolute_url(), at=at)
    return order


