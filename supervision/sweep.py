"""The orders' sweep, beside the demands' and the projects' (``demands.sla``,
``projects.sweep``): an order past its deadline that the unit has not answered (or must
answer again after a return) is flagged ``overdue`` with an event; the first time, the
order is also **escalated** (升级督办, ``escalated_at``): the unit's heads and the bureau's
leader in charge are told. ``Unit`` names no leader in charge, so every leader (局领导) is
told (docs/supervision.md, section 1).

Safe to run twice or on two workers at once: each flag moves by a conditional UPDATE and
only the run whose UPDATE changed the row writes the event and the notices; a notice's
``dedupe_key`` is per order.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from inbox.actions import notify
from org.models import Role
from org.queries import users_with_role

from .models import EventKind, OrderEvent, SupervisionOrder


def escalation_people(unit) -> list:
    """The unit's heads, then the leaders."""
    return [*users_with_role([Role.UNIT_HEAD], unit), *users_with_role([Role.LEADER])]


def sweep(now=None, batch: int = 500) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"overdue": 0, "escalated": 0}
    late = SupervisionOrder.objects.overdue(now).filter(overdue=False)
    for pk in list(late.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if not SupervisionOrder.objects.overdue(now).filter(pk=pk, overdue=False).update(
                    overdue=True):
                continue
            order = SupervisionOrder.objects.get(pk=pk)
            deadline = timezone.localtime(order.deadline)
            OrderEvent.objects.create(order=order, kind=EventKind.OVERDUE, at=now,
                                      from_state=order.state, to_state=order.state,
                                      data={"deadline": f"{deadline:%Y-%m-%d %H:%M}"})
            counts["overdue"] += 1
    unescalated = SupervisionOrder.objects.overdue(now).filter(escalated_at=None)
    for pk in list(unescalated.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if not SupervisionOrder.objects.overdue(now).filter(
                    pk=pk, escalated_at=None).update(escalated_at=now):
                continue
            order = SupervisionOrder.objects.select_related("unit").get(pk=pk)
            people = escalation_people(order.unit)
            OrderEvent.objects.create(order=order, kind=EventKind.ESCALATE, at=now,
                                      from_state=order.state, to_state=order.state,
                                      data={"told": len({p.pk for p in people})})
            deadline = timezone.localtime(order.deadline)
            notify(people, "order.escalated",
                   f"督办单逾期未反馈：{order.number} {order.title}",
                   f"{order.unit.display_name}应于 {deadline:%Y-%m-%d %H:%M} 前反馈，"
                   "至今未反馈，现升级督办。",
                   order.get_absolute_url(), dedupe_key=f"order-escalated:{pk}", at=now)
            counts["escalated"] += 1
    return counts
