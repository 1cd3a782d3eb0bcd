"""What the public may see of a demand: nothing personal, nothing internal."""

from __future__ import annotations

from dataclasses import dataclass

from lib.privacy import phone_suffix_matches

from .models import Demand, DemandEvent, EventKind

# Events a requester sees, and how they read. Reasons are shown only where the text was
# written *for* the requester (replies); internal notes (urging, supervision orders,
# return reasons, extension requests, SLA alarms) never leave the console.
PUBLIC_EVENTS = {
    EventKind.SUBMIT: "诉求已提交",
    EventKind.REGISTER: "诉求已受理",
    EventKind.RECEIVE: "诉求已受理",
    EventKind.DISPATCH: "已派遣至{unit}",
    EventKind.TRANSFER: "已转由{unit}办理",
    EventKind.ACCEPT: "{unit}已签收，正在办理",
    EventKind.APPROVE_EXTENSION: "办理时限已延长",
    EventKind.REPLY: "{unit}已答复",
    EventKind.EVALUATE: "您已评价",
    EventKind.FOLLOW_UP: "已启动整改",
    EventKind.ANSWER_FOLLOW_UP: "{unit}已整改答复",
    EventKind.MERGE: "已与相同诉求合并办理",
    EventKind.INVALIDATE: "诉求已撤销",
    EventKind.CLOSE: "诉求已办结",
}
SHOW_TEXT = {EventKind.REPLY, EventKind.ANSWER_FOLLOW_UP}


@dataclass(frozen=True)
class PublicStep:
    at: object
    label: str
    text: str


def timeline(demand: Demand) -> list[PublicStep]:
    steps = []
    for event in DemandEvent.objects.filter(demand=demand, kind__in=list(PUBLIC_EVENTS)) \
            .select_related("unit").order_by("at", "id"):
        unit = event.unit.display_name if event.unit else "承办单位"
        label = PUBLIC_EVENTS[event.kind].format(unit=unit)
        steps.append(PublicStep(event.at, label,
                                event.reason if event.kind in SHOW_TEXT else ""))
    return steps


def find_for_requester(number: str, phone_suffix: str) -> Demand | None:
    """The demand only when the number and the phone's last four digits both match; the
    caller cannot tell a wrong number from a wrong suffix."""
    demand = Demand.objects.select_related("category", "current_unit").filter(
        number=(number or "").strip().upper()).first()
    if demand is None or not phone_suffix_matches(demand.requester_phone, phone_suffix):
        return None
    return demand
