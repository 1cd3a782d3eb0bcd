"""Read side of the console and the API: role-based queues, filters, keyset pages, and
which actions a user may take on a demand now."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from org import access
from org.models import Role

from .models import CLOCK_STATES, OPEN_STATES, Demand, ExtensionStatus, State


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    roles: frozenset[str] | None  # who sees it in their menu (None: everybody)

    def q(self, user, now) -> Q:
        match self.key:
            case "submitted" | "received" | "dispatched" | "replied":
                return Q(state=self.key)
            case "handling":
                return Q(state__in=[State.HANDLING, State.FOLLOW_UP])
            case "warning":
                return Q(state__in=CLOCK_STATES, warn_at__lte=now, deadline__gte=now)
            case "overdue":
                return Q(state__in=CLOCK_STATES, deadline__lt=now)
            case "mine":
                return Q(first_receiver=user, state__in=OPEN_STATES)
            case _:
                return Q()


TRIAGE = frozenset({Role.RECEIVER, Role.DISPATCHER})
UNITS = frozenset({Role.HANDLER, Role.UNIT_HEAD, Role.DISPATCHER})
QUEUES = {q.key: q for q in [
    Queue("submitted", "待受理", TRIAGE),
    Queue("received", "待派遣", TRIAGE),
    Queue("dispatched", "待签收", UNITS),
    Queue("handling", "办理中", None),
    Queue("replied", "待回访", TRIAGE),
    Queue("warning", "即将超期", None),
    Queue("overdue", "已超期", None),
    Queue("mine", "我首问的", TRIAGE),
    Queue("all", "全部", None),
]}


def queues_for(user) -> list[Queue]:
    return [queue for queue in QUEUES.values()
            if queue.roles is None or access.has_role(user, *queue.roles)
            or user.is_superuser]


def default_queue(user) -> str:
    if access.has_role(user, Role.RECEIVER):
        return "submitted"
    if access.has_role(user, Role.DISPATCHER):
        return "received"
    if access.has_role(user, Role.HANDLER, Role.UNIT_HEAD):
        return "dispatched"
    return "all"


def visible(user) -> QuerySet:
    return access.filter_for(user, "demand.view", Demand.objects.all())


def queue_queryset(user, key: str, now=None) -> QuerySet:
    now = now or timezone.now()
    return visible(user).filter(QUEUES[key].q(user, now))


# --- keyset pagination on (submitted_at desc, id desc) -----------------------------------
def encode_cursor(demand: Demand) -> str:
    raw = f"{demand.submitted_at.isoformat()}|{demand.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        moment = dt.datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            return None
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def page(queryset: QuerySet, cursor: str | None, size: int = 50):
    """(rows, next cursor or None). A malformed cursor starts from the top."""
    queryset = queryset.order_by("-submitted_at", "-id")
    position = decode_cursor(cursor) if cursor else None
    if position:
        moment, pk = position
        queryset = queryset.filter(Q(submitted_at__lt=moment) | Q(submitted_at=moment, id__lt=pk))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


# --- what may be done now --------------------------------------------------------------
ACTION_LABELS = {
    "receive": "受理", "dispatch": "派遣", "accept": "签收", "return": "退单",
    "transfer": "转办", "request_extension": "申请延期", "approve_extension": "批准延期",
    "refuse_extension": "驳回延期", "urge": "催办", "supervise": "督办", "reply": "答复",
    "visit": "回访", "answer_follow_up": "整改答复", "merge": "并单",
    "invalidate": "作废", "close": "办结",
}


def available_actions(user, demand: Demand) -> list[str]:
    """The actions the user could take on the demand in its present state (the action
    itself checks again under the row lock)."""
    def can(capability):
        return access.can(user, capability, demand)

    state = demand.state
    pending = demand.extension_requests.filter(status=ExtensionStatus.PENDING).exists() \
        if state in (State.HANDLING, State.FOLLOW_UP) else False
    out = []
    if state == State.SUBMITTED and can("demand.receive"):
        out.append("receive")
    if state == State.RECEIVED and can("demand.dispatch"):
        out.append("dispatch")
    if state == State.DISPATCHED and can("demand.handle"):
        out.append("accept")
    if state == State.HANDLING and can("demand.handle"):
        out.append("reply")
    if state == State.FOLLOW_UP and can("demand.handle"):
        out.append("answer_follow_up")
    if state in (State.DISPATCHED, State.HANDLING) and can("demand.handle"):
        out.append("return")
    if state in (State.DISPATCHED, State.HANDLING) and can("demand.transfer"):
        out.append("transfer")
    if state in (State.HANDLING, State.FOLLOW_UP) and can("demand.handle") and not pending:
        out.append("request_extension")
    if pending and can("demand.approve_extension"):
        out += ["approve_extension", "refuse_extension"]
    if state == State.REPLIED and can("demand.visit"):
        out.append("visit")
        if demand.visited_at:
            out.append("close")
    if state in CLOCK_STATES and can("demand.urge"):
        out.append("urge")
    if state in OPEN_STATES and can("demand.supervise"):
        out.append("supervise")
    if state in (State.SUBMITTED, State.RECEIVED) and (can("demand.dispatch")
                                                       or can("demand.receive")):
        out += ["merge", "invalidate"]
    return out


# --- how many: the home page's to-do counts and the queue tabs ---------------------------
def queue_counts(user, keys, now=None, exact_limit: int = 1000) -> dict[str, int]:
    """How many demands each queue holds for the user, in one query. Exact up to
    ``exact_limit``; a queue holding more answers ``exact_limit + 1`` (shown as "1000+").
    Each count is ``COUNT(*)`` over a ``LIMIT`` subquery, so that a bureau-wide queue of a
    million demands costs a bounded index scan on every page view, not a full count; the
    queues' counts are the columns of one ``SELECT`` (one round trip for all the tabs)."""
    from django.db import connection  # here: this function is all issue #9 adds to the file

    keys = list(keys)
    if not keys:
        return {}
    now = now or timezone.now()
    columns, params = [], []
    for number, key in enumerate(keys):
        rows = queue_queryset(user, key, now).order_by().values("pk")[: exact_limit + 1]
        sql, sql_params = rows.query.sql_with_params()
        # the SQL is Django's own compilation; every value stays a parameter
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{number})")  # noqa: S608
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        return dict(zip(keys, cursor.fetchone(), strict=True))
