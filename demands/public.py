"""What the public may see of a demand: the one read model of every public surface.

The board (公众诉求栏), the tracking page, the evaluation pages and Open311 read demands
only through ``masked`` (a ``PublicDemand``), ``timeline`` and ``followed``; none of them
renders a ``Demand`` itself. Every free text (title, content, reply, timeline texts) goes
through ``lib.privacy.mask_text``: the requester's name, names before a courtesy title,
mobile and landline numbers and ID-card numbers are masked, even for the requester's own
tracking page — a page anyone holding the number and four digits can open. Addresses are
generalised to the road and coordinates rounded to three decimals (about a hundred metres).
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.privacy import generalise_address, mask_name, mask_text, phone_suffix_matches

from . import clock
from .models import OPEN_STATES, UNCLASSIFIED, Demand, DemandEvent, EventKind, State

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


def public_text(demand: Demand, text: str) -> str:
    """Free text of ``demand`` as any public page shows it (see the module docstring)."""
    return mask_text(text or "", demand.requester_name)


def timeline(demand: Demand, *, own: bool = True) -> list[PublicStep]:
    """The public steps of ``demand``, texts masked: for its own requester, or
    (``own=False``) for the requester of a demand merged into it."""
    labels = PUBLIC_EVENTS if own else OTHERS_EVENTS
    steps = []
    for event in DemandEvent.objects.filter(demand=demand, kind__in=list(PUBLIC_EVENTS)) \
            .select_related("unit").order_by("at", "id"):
        unit = event.unit.display_name if event.unit else "承办单位"
        label = labels[event.kind].format(unit=unit)
        if event.kind == EventKind.MERGE and event.data.get("into"):
            label = f"已与诉求 {event.data['into']} 合并办理"
        text = event.reason if event.kind in SHOW_TEXT else ""
        steps.append(PublicStep(event.at, label, public_text(demand, text)))
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
    return Followed(original.number, public_text(original, original.title),
                    original.get_state_display(), timeline(original, own=False))


def find_for_requester(number: str, phone_suffix: str) -> Demand | None:
    """The demand only when the number and the phone's last four digits both match; the
    caller cannot tell a wrong number from a wrong suffix."""
    demand = Demand.objects.select_related("category__parent", "current_unit").filter(
        number=(number or "").strip().upper()).first()
    if demand is None or not phone_suffix_matches(demand.requester_phone, phone_suffix):
        return None
    return demand


PUBLIC_STATES = ("received", "dispatched", "handling", "replied", "follow_up", "closed")


def published(category=None, unit=None):
    """Consented demands, newest first (the caller pages them)."""
    rows = Demand.objects.filter(consent_publish=True, state__in=PUBLIC_STATES) \
        .select_related("category__parent", "current_unit")
    if category is not None:
        rows = rows.filter(category__parent=category)
    if unit is not None:
        rows = rows.filter(current_unit__path__startswith=unit.path)
    return rows


@dataclass(frozen=True)
class PublicDemand:
    """A demand as every public surface shows it: masked texts, generalised place."""

    number: str
    category: str  # "市容环境 · 暴露垃圾"
    category_name: str
    category_code: str
    time_limit: str
    title: str
    content: str
    reply: str
    state: str  # the label: 办理中, 待回访 …
    state_code: str
    is_open: bool
    unit: str
    address: str
    requester: str  # "群众 王**"
    lon: float | None
    lat: float | None
    submitted_at: object
    updated_at: object
    replied_at: object
    deadline: object


def _rounded(value) -> float | None:
    # about a hundred metres: enough for a map, not enough to find a door
    return round(float(value), 3) if value is not None else None


def masked(demand: Demand) -> PublicDemand:
    """The one way a public page reads a demand (load category__parent and current_unit
    with it)."""
    category = demand.category
    return PublicDemand(
        number=demand.number,
        category=str(category) if category else UNCLASSIFIED,
        category_name=category.name if category else UNCLASSIFIED,
        category_code=category.code if category else "",
        time_limit=category.time_limit_label if category else clock.default_limit_label(),
        title=public_text(demand, demand.title),
        content=public_text(demand, demand.content),
        reply=public_text(demand, demand.reply),
        state=demand.get_state_display(), state_code=demand.state,
        is_open=demand.state in OPEN_STATES,
        unit=demand.current_unit.name,
        address=generalise_address(demand.address),
        requester=f"{demand.get_requester_kind_display()} {mask_name(demand.requester_name)}"
        .strip(),
        lon=_rounded(demand.longitude), lat=_rounded(demand.latitude),
        submitted_at=demand.submitted_at, updated_at=demand.updated_at,
        replied_at=demand.first_replied_at, deadline=demand.deadline,
    )
