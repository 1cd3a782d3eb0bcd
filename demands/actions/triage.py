"""What a new demand is: a repeat merged into its original (并单), invalid (作废), or
marked as a likely repeat by duplicate detection."""

from __future__ import annotations

from django.db import transaction

from lib.errors import ActionError
from lib.errors import clean_text as _text
from org import access

from ..models import (
    Demand,
    EventKind,
    State,
)
from ._common import (
    expect_state,
    lock,
    moment,
    record,
)
from .replies import relay_reply


def may_triage(actor, demand) -> bool:
    """Receive-or-dispatch staff decide what a new demand is: merge it (并单), invalidate
    it, or judge a duplicate flag (insights.actions)."""
    return access.can(actor, "demand.dispatch", demand) or \
        access.can(actor, "demand.receive", demand)


def mark_repeat(demand_ids, repeat: bool = True) -> int:
    """What the repeat-demand rate counts: ``is_repeat`` is set when duplicate detection
    flags a demand as a likely repeat (insights.duplicates) and cleared when staff dismiss
    every flag; a merged demand stays a repeat. A derived mark, not a state change: one
    UPDATE, no lock and no event (the flags keep who decided what). Returns rows changed."""
    rows = Demand.objects.filter(pk__in=list(demand_ids)).exclude(is_repeat=repeat)
    if not repeat:
        rows = rows.exclude(state=State.MERGED)
    return rows.update(is_repeat=repeat)


@transaction.atomic
def merge(actor, demand: Demand, into: Demand, at=None) -> Demand:
    """并单: ``demand`` repeats ``into`` and follows it from now on; when ``into`` has
    already been answered, its reply is passed on at once."""
    at = moment(at)
    demand = lock(demand)
    if not may_triage(actor, demand):
        raise ActionError("forbidden", "您没有权限对该诉求执行“并单”。")
    expect_state(demand, (State.SUBMITTED, State.RECEIVED), "并单")
    if into is None or into.pk == demand.pk:
        raise ActionError("invalid", "请选择要并入的另一条诉求。", "into")
    if into.state in (State.MERGED, State.INVALID):
        raise ActionError("invalid", f"诉求 {into.number} 本身已并单或作废，不能并入。", "into")
    from_state = demand.state
    demand.state = State.MERGED
    demand.duplicate_of = into
    demand.is_repeat = True
    demand.closed_at = at
    demand.save(update_fields=["state", "duplicate_of", "is_repeat", "closed_at",
                               "updated_at"])
    record(demand, EventKind.MERGE, actor, at, from_state, into=into.number)
    if into.first_replied_at is not None and into.reply:
        relay_reply(actor, into, at, followers=[demand])
    return demand


@transaction.atomic
def invalidate(actor, demand: Demand, reason: str, at=None) -> Demand:
    at = moment(at)
    demand = lock(demand)
    if not may_triage(actor, demand):
        raise ActionError("forbidden", "您没有权限对该诉求执行“作废”。")
    expect_state(demand, (State.SUBMITTED, State.RECEIVED), "作废")
    reason = _text(reason, "作废理由", limit=500, field_name="reason")
    from_state = demand.state
    demand.state = State.INVALID
    demand.closed_at = at
    demand.save(update_fields=["state", "closed_at", "updated_at"])
    record(demand, EventKind.INVALIDATE, actor, at, from_state, reason=reason)
    return demand




def locate(points: dict) -> int:
    """Give demands without a point the point of a place they name (``places``): the
    gazetteer's point of an estate, a market or a road — approximate, so marked
    ``point_source = "place"`` and never put over a point the demand came with. A derived
    mark like ``mark_repeat``: one UPDATE per point, no event (the mention says where it
    came from). ``points``: demand id → (longitude, latitude). Returns rows changed."""
    changed = 0
    by_point: dict = {}
    for pk, point in points.items():
        by_point.setdefault(tuple(point), []).append(pk)
    for (longitude, latitude), ids in by_point.items():
        changed += Demand.objects.filter(pk__in=ids, longitude__isnull=True).update(
            longitude=longitude, latitude=latitude, point_source="place")
    return changed
