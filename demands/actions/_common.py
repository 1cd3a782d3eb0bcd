"""What every demand action shares: the row lock, the state and permission checks, the
timeline event, the people to tell and the intake unit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lib import phones
from lib.errors import ActionError
from org import access
from org.models import Role, Unit
from org.queries import users_with_role

from ..models import Demand, DemandEvent


def moment(at):
    """The action's time: ``at`` when given (imports, the demo, tests), else now."""
    return at or timezone.now()


def require(actor, capability: str, demand: Demand, action_label: str):
    if not access.can(actor, capability, demand):
        raise ActionError("forbidden", f"您没有权限对该诉求执行“{action_label}”。")


def lock(demand: Demand) -> Demand:
    # No joins here: after waiting for the lock PostgreSQL re-checks the *new* row version
    # against the join, and a row whose foreign key just changed would silently vanish.
    return Demand.objects.select_for_update().get(pk=demand.pk)


def expect_state(demand: Demand, states, action_label: str):
    if demand.state in states:
        return
    last = demand.events.select_related("actor").order_by("-at", "-id").first()
    detail = ""
    if last is not None and last.actor is not None:
        who = getattr(getattr(last.actor, "staff", None), "full_name", last.actor.get_username())
        detail = (f"（{who} 已于 {timezone.localtime(last.at):%m-%d %H:%M} "
                  f"{last.get_kind_display()}）")
    raise ActionError("wrong_state",
                      f"该诉求当前状态为“{demand.get_state_display()}”，不能{action_label}{detail}。")


def record(demand: Demand, kind: str, actor, at, from_state: str = "", *, unit=None,
           reason: str = "", **data) -> DemandEvent:
    """Append the timeline event of a transition (``to_state`` is the demand's state)."""
    return DemandEvent.objects.create(
        demand=demand, kind=kind, actor=actor, at=at, from_state=from_state,
        to_state=demand.state, unit=unit, reason=reason, data=data)


def unit_staff(unit: Unit):
    """Handlers and heads whose scope covers ``unit`` (these roles are never bureau-wide)."""
    return list(users_with_role([Role.HANDLER, Role.UNIT_HEAD], unit))


def unit_heads(unit: Unit):
    return list(users_with_role([Role.UNIT_HEAD], unit))


def bureau(*roles):
    return list(users_with_role(roles))


def tell_requester(demand: Demand, text: str) -> None:
    """SMS to the requester after the transaction commits (the gateway is pluggable).
    Only a mobile number can receive one: a landline given at submission is called back
    by staff instead (回访), and the requester evaluates through the portal."""
    if not phones.is_mobile(demand.requester_phone):
        return
    phone = phones.digits(demand.requester_phone)  # as the gateway wants it: 11 digits

    def send():
        from inbox.senders import requester_gateway

        requester_gateway().send(phone, text)
    transaction.on_commit(send)


def get_intake_unit() -> Unit:
    """The unit that owns demands until they are dispatched (数字化城市管理指挥中心)."""
    unit = Unit.objects.filter(code=settings.INTAKE_UNIT_CODE, is_active=True).first()
    if unit is None:
        raise ActionError("conflict",
                          f"未配置受理单位：没有编码为“{settings.INTAKE_UNIT_CODE}”的启用单位"
                          "（环境变量 INTAKE_UNIT_CODE）。"
                          "请先在管理后台（/admin/）的“单位”中建立它，"
                          "或运行 manage.py load_demo 加载演示数据。")
    return unit
