"""What the public may see of a demand: nothing personal, nothing internal."""

from __future__ import annotations

from dataclasses import dataclass

from lib.privacy import phone_suffix_matches, scrub

from .models import Demand, DemandEvent, EventKind, State

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
# How another requester's demand reads to the requester of a demand merged into it.
OTHERS_EVENTS = {**PUBLIC_EVENTS, EventKind.EVALUATE: "诉求人已评价"}


@dataclass(frozen=True)
class PublicStep:
    at: object
    label: str
    text: str


def timeline(demand: Demand, *, own: bool = True) -> list[PublicStep]:
    """The public steps of ``demand``: for its own requester, or (``own=False``) for the
    requester of a demand merged into it, with its requester's name masked in the texts."""
    labels = PUBLIC_EVENTS if own else OTHERS_EVENTS
    steps = []
    for event in DemandEvent.objects.filter(demand=demand, kind__in=list(PUBLIC_EVENTS)) \
            .select_related("unit").order_by("at", "id"):
        unit = event.unit.display_name if event.unit else "承办单位"
        label = labels[event.kind].format(unit=unit)
        if event.kind == EventKind.MERGE and event.data.get("into"):
            label = f"已与诉求 {event.data['into']} 合并办理"
        text = event.reason if event.kind in SHOW_TEXT else ""
        steps.append(PublicStep(event.at, label, text if own else
                                scrub(text, demand.requester_name)))
    return steps


@dataclass(frozen=True)
class Followed:
    """The demand a merged demand follows, as the merged demand's requester may see it:
    number, masked title, state and public steps; nothing of its requester."""

    number: str
    title: str
    state: str
    steps: list


def followed(demand: Demand) -> Followed | None:
    """For a merged demand (并单), the original it follows — through a chain of merges —
    with its public progress; None for any other demand."""
    original, hops = demand, 0
    while original.state == State.MERGED and original.duplicate_of_id and hops < 10:
        original = Demand.objects.get(pk=original.duplicate_of_id)
        hops += 1
    if original is demand:
        return None
    return Followed(original.number, scrub(original.title, original.requester_name),
                    original.get_state_display(), timeline(original, own=False))


def find_for_requester(number: str, phone_suffix: str) -> Demand | None:
    """The demand only when the number and the phone's last four digits both match; the
    caller cannot tell a wrong number from a wrong suffix."""
    demand = Demand.objects.select_related("category", "current_unit").filter(
        number=(number or "").strip().upper()).first()
    if demand is None or not phone_suffix_matches(demand.requester_phone, phone_suffix):
        return None
    return demand


@dataclass(frozen=True)
class PublicDemand:
    """A consented demand as the public list shows it: masked and generalised."""

    category: str
    title: str
    address: str
    state: str
    submitted_at: object
    replied_at: object
    reply: str
    requester: str
    lon: float | None
    lat: float | None


PUBLIC_STATES = ("received", "dispatched", "handling", "replied", "follow_up", "closed")


def published(category=None, unit=None):
    """Consented demands, newest first (the caller pages them)."""
    rows = Demand.objects.filter(consent_publish=True, state__in=PUBLIC_STATES) \
        .select_related("category__parent")
    if category is not None:
        rows = rows.filter(category__parent=category)
    if unit is not None:
        rows = rows.filter(current_unit__path__startswith=unit.path)
    return rows


def masked(demand: Demand) -> PublicDemand:
    from lib.privacy import generalise_address, mask_name

    names = [demand.requester_name]
    return PublicDemand(
        category=str(demand.category),
        title=scrub(demand.title, *names),
        address=generalise_address(demand.address),
        state=demand.get_state_display(),
        submitted_at=demand.submitted_at,
        replied_at=demand.first_replied_at,
        reply=scrub(demand.reply, *names),
        requester=f"{demand.get_requester_kind_display()} {mask_name(demand.requester_name)}",
        # about a hundred metres: enough for a map, not enough to find a door
        lon=round(float(demand.longitude), 3) if demand.longitude is not None else None,
        lat=round(float(demand.latitude), 3) if demand.latitude is not None else None,
    )
