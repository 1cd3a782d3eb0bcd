"""The role-based queues of demands (待受理, 待派遣 …), shared by the console and the API,
and their keyset pages. Which actions a user may take on a demand is
``demands.catalogue``'s answer."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from org import access
from org.models import Role

from .models import OPEN_STATES, Demand, State, SupervisionOrder


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    roles: frozenset[str] | None  # who sees it in their menu (None: everybody)

    def rows(self, queryset: QuerySet, user, now) -> QuerySet:
        match self.key:
            case "unclassified":
                return queryset.filter(category__isnull=True, state__in=UNCLASSIFIED_STATES)
            case "received":  # 待派遣: what a dispatcher can send (classified first)
                return queryset.filter(state=State.RECEIVED, category__isnull=False)
            case "submitted" | "dispatched" | "replied":
                return queryset.filter(state=self.key)
            case "handling":
                return queryset.filter(state__in=[State.HANDLING, State.FOLLOW_UP])
            case "warning":
                return queryset.warning(now)
            case "overdue":
                return queryset.overdue(now)
            case "mine":
                return queryset.filter(first_receiver=user, state__in=OPEN_STATES)
            case "supervised":
                return queryset.filter(_supervised(user))
            case _:
                return queryset


# 待分类: no category yet, while it can still be classified (before dispatch)
UNCLASSIFIED_STATES = (State.SUBMITTED, State.RECEIVED)

# A supervision order waits for the unit's answer until the demand is replied to.
AWAITING_ANSWER = (State.DISPATCHED, State.HANDLING, State.FOLLOW_UP)


def _supervised(user) -> Q:
    """我的督办: open demands under a supervision order the person issued (督查室, 局领导),
    and — for those who handle demands — demands in their sight under an order and not
    yet answered (the caller's queryset is already narrowed to what they may see)."""
    condition = Q(pk__in=SupervisionOrder.objects.filter(issued_by=user).values("demand_id"),
                  state__in=OPEN_STATES)
    if access.can_anywhere(user, "demand.handle"):
        condition |= Q(pk__in=SupervisionOrder.objects.values("demand_id"),
                       state__in=AWAITING_ANSWER)
    return condition


TRIAGE = frozenset({Role.RECEIVER, Role.DISPATCHER})
UNITS = frozenset({Role.HANDLER, Role.UNIT_HEAD, Role.DISPATCHER})
QUEUES = {q.key: q for q in [
    Queue("unclassified", "待分类", TRIAGE),
    Queue("submitted", "待受理", TRIAGE),
    Queue("received", "待派遣", TRIAGE),
    Queue("dispatched", "待签收", UNITS),
    Queue("handling", "办理中", None),
    Queue("replied", "待回访", TRIAGE),
    Queue("warning", "即将超期", None),
    Queue("overdue", "已超期", None),
    Queue("mine", "我首问的", TRIAGE),
    Queue("supervised", "我的督办", frozenset({Role.SUPERVISOR, Role.LEADER, Role.HANDLER,
                                             Role.UNIT_HEAD})),
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
    return QUEUES[key].rows(visible(user), user, now)


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


# --- how many: the home page's to-do counts and the queue tabs ---------------------------
def queue_counts(user, keys, now=None, exact_limit: int = 1000) -> dict[str, int]:
    """How many demands each queue holds for the user, in one query. Exact up to
    ``exact_limit``; a queue holding more answers ``exact_limit + 1`` (shown as "1000+").
    Each count is ``COUNT(*)`` over a ``LIMIT`` subquery, so that a bureau-wide queue of a
    million demands costs a bounded index scan on every page view, not a full count; the
    queues' counts are the columns of one ``SELECT`` (one round trip for all the tabs)."""
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
