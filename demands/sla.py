"""The SLA sweep: yellow before the committed deadline, red after it.

Safe to run twice, or on two workers at once: each demand's flag moves by a conditional
UPDATE (``… WHERE sla_flag = 'normal'``), and only the run whose UPDATE changed the row
writes the event and the notifications.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from inbox.actions import notify
from org.models import Role
from org.queries import users_with_role

from .models import Demand, DemandEvent, EventKind, SlaFlag


def _flag(demand_id: int, condition: dict, exclude_flag: str | None, new_flag: str) -> bool:
    rows = Demand.objects.filter(pk=demand_id).running().filter(**condition)
    if exclude_flag:
        rows = rows.exclude(sla_flag=exclude_flag)
    return rows.update(sla_flag=new_flag) == 1


def sweep(now=None, batch: int = 500) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"warned": 0, "overdue": 0}
    overdue = (Demand.objects.overdue(now).exclude(sla_flag=SlaFlag.OVERDUE)
               .values_list("pk", flat=True)[:batch])
    for pk in list(overdue):
        with transaction.atomic():
            if not _flag(pk, {"deadline__lt": now}, SlaFlag.OVERDUE, SlaFlag.OVERDUE):
                continue
            demand = Demand.objects.select_related("current_unit").get(pk=pk)
            _record(demand, EventKind.OVERDUE, now)
            recipients = [*users_with_role([Role.UNIT_HEAD], demand.current_unit),
                          *users_with_role([Role.SUPERVISOR])]
            notify(recipients, "demand.overdue",
                   f"已超期：诉求 {demand.number} {demand.title}",
                   f"{demand.current_unit.display_name}承办，承诺时限 "
                   f"{timezone.localtime(demand.deadline):%Y-%m-%d %H:%M} 已过。",
                   demand.get_absolute_url(),
                   dedupe_key=f"overdue:{demand.pk}:{demand.deadline.isoformat()}", at=now)
            counts["overdue"] += 1
    warning = (Demand.objects.warning(now).filter(sla_flag=SlaFlag.NORMAL)
               .values_list("pk", flat=True)[:batch])
    for pk in list(warning):
        with transaction.atomic():
            if not _flag(pk, {"warn_at__lte": now, "deadline__gte": now,
                              "sla_flag": SlaFlag.NORMAL}, None, SlaFlag.WARNING):
                continue
            demand = Demand.objects.select_related("current_unit", "handler").get(pk=pk)
            _record(demand, EventKind.WARN, now)
            recipients = [demand.handler] if demand.handler else \
                list(users_with_role([Role.HANDLER, Role.UNIT_HEAD], demand.current_unit))
            notify(recipients, "demand.warning", f"即将超期：诉求 {demand.number} {demand.title}",
                   f"请在 {timezone.localtime(demand.deadline):%Y-%m-%d %H:%M} 前办结答复。",
                   demand.get_absolute_url(),
                   dedupe_key=f"warning:{demand.pk}:{demand.deadline.isoformat()}", at=now)
            counts["warned"] += 1
    return counts


def _record(demand: Demand, kind: str, now) -> None:
    DemandEvent.objects.create(demand=demand, kind=kind, actor=None, at=now,
                               from_state=demand.state, to_state=demand.state,
                               unit=demand.current_unit,
                               data={"deadline": demand.deadline.isoformat()})
