"""Every change to a demand, one function per transition.

Each action runs in a transaction, re-reads the demand with a row lock, checks the
actor's capability and the demand's state, writes the change with ``update_fields``,
appends a ``DemandEvent`` and queues notifications. A refusal raises ``ActionError`` and
changes nothing. Two people acting at once are serialised by the lock: the second sees
the state the first left and is told so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils import timezone

from catalog import calendar
from catalog.models import Category, LimitUnit
from enterprises.models import Enterprise
from inbox.actions import notify
from lib import bulk, filetype
from lib.errors import ActionError
from lib.errors import clean_text as _text
from org import access
from org.models import Role, Unit
from org.queries import users_with_role

from . import signals
from .models import (
    CLOCK_STATES,
    OPEN_STATES,
    Attachment,
    Channel,
    Demand,
    DemandEvent,
    Evaluation,
    EvaluationSource,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    Level,
    RequesterKind,
    SlaFlag,
    State,
    SupervisionOrder,
    new_number,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
REQUESTER_KINDS = frozenset(RequesterKind.values)  # (Enum.values builds a list each time)
CHANNELS = frozenset(Channel.values)
MAX_ATTACHMENTS = 9
MAX_EXTENSION_DAYS = 30
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,18}[0-9]$")
# Where a WGS84 point must fall to be in China (catches swapped or missing coordinates).
CHINA_LON = (Decimal("73"), Decimal("136"))
CHINA_LAT = (Decimal("3"), Decimal("54"))


def _now(at):
    return at or timezone.now()


def _require(actor, capability: str, demand: Demand, action_label: str):
    if not access.can(actor, capability, demand):
        raise ActionError("forbidden", f"您没有权限对该诉求执行“{action_label}”。")


def _lock(demand: Demand) -> Demand:
    # No joins here: after waiting for the lock PostgreSQL re-checks the *new* row version
    # against the join, and a row whose foreign key just changed would silently vanish.
    return Demand.objects.select_for_update().get(pk=demand.pk)


def _expect_state(demand: Demand, states, action_label: str):
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


def _event(demand: Demand, kind: str, actor, at, from_state: str = "", *, unit=None,
           reason: str = "", **data) -> DemandEvent:
    return DemandEvent.objects.create(
        demand=demand, kind=kind, actor=actor, at=at, from_state=from_state,
        to_state=demand.state, unit=unit, reason=reason, data=data)


def _link(demand: Demand) -> str:
    return f"/console/demands/{demand.number}/"


def _unit_staff(unit: Unit):
    """Handlers and heads whose scope covers ``unit`` (these roles are never bureau-wide)."""
    return list(users_with_role([Role.HANDLER, Role.UNIT_HEAD], unit))


def _unit_heads(unit: Unit):
    return list(users_with_role([Role.UNIT_HEAD], unit))


def _bureau(*roles):
    return list(users_with_role(roles))


# --- deadlines -----------------------------------------------------------------------
def compute_deadline(category: Category, start: dt.datetime, extra_days: int = 0):
    """(deadline, warn_at) for a demand of ``category`` whose clock starts at ``start``."""
    cal = calendar.current()
    if category.time_limit_unit == LimitUnit.HOURS:
        deadline = cal.add_hours(start, category.time_limit)
    else:
        deadline = cal.add_days(start, category.time_limit)
    if extra_days:
        deadline = cal.add_days(deadline, extra_days)
    warn_at = max(cal.subtract_hours(deadline, category.warning_hours),
                  cal.next_working_moment(start))
    return deadline, min(warn_at, deadline)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_evaluation_link(demand: Demand) -> str:
    """A fresh one-time evaluation link for the requester (only its hash is kept)."""
    token = secrets.token_urlsafe(18)
    demand.evaluation_token_hash = token_hash(token)
    return f"{settings.PUBLIC_BASE_URL}/e/{token}/"


def _tell_requester(demand: Demand, text: str) -> None:
    """SMS to the requester after the transaction commits (the gateway is pluggable)."""
    phone = demand.requester_phone
    if not phone:
        return

    def send():
        from inbox.senders import requester_gateway

        requester_gateway().send(phone, text)
    transaction.on_commit(send)


def _start_clock(demand: Demand, at):
    demand.deadline, demand.warn_at = compute_deadline(demand.category, at)
    demand.sla_flag = SlaFlag.NORMAL


# --- intake ----------------------------------------------------------------------------
@dataclass
class Intake:
    """A new demand as any interface hands it in (already typed; checked here)."""

    requester_kind: str
    channel: str
    category: Category | str | int
    title: str
    content: str
    requester_name: str = ""
    requester_phone: str = ""
    requester_org: str = ""
    enterprise: Enterprise | None = None
    grassroots_unit: Unit | None = None
    external_id: str = ""
    address: str = ""
    longitude: Decimal | float | str | None = None
    latitude: Decimal | float | str | None = None
    urgency: int | None = None
    attachments: list = field(default_factory=list)  # uploaded files (name, size, read())
    consent_publish: bool = False


def _category(value) -> Category:
    if isinstance(value, Category):
        category = value
    else:
        lookup = {"pk": value} if isinstance(value, int) else {"code": value}
        category = Category.objects.filter(**lookup).first()
        if category is None:
            raise ActionError("invalid", f"类别“{value}”不存在。", "category")
    if not category.is_active or not category.parent_id:
        raise ActionError("invalid", f"请选择具体的小类，“{category.name}”不能直接受理。",
                          "category")
    return category


def _coordinate(value, bounds, label, name):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError:
        raise ActionError("invalid", f"{label}必须是数字。", name) from None
    if not bounds[0] <= number <= bounds[1]:
        raise ActionError("invalid", f"{label} {value} 不在中国境内，请检查经纬度是否填反。",
                          name)
    return number


def _checked_attachments(files) -> list[tuple[object, str]]:
    if len(files) > MAX_ATTACHMENTS:
        raise ActionError("invalid", f"附件最多 {MAX_ATTACHMENTS} 个。", "attachments")
    checked = []
    for upload in files:
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise ActionError("invalid", f"附件“{upload.name}”超过 10 MB。", "attachments")
        head = upload.read(16)
        upload.seek(0)
        verdict = filetype.check(upload.name, head)
        if not verdict.ok:
            raise ActionError("invalid", verdict.problem, "attachments")
        checked.append((upload, verdict.content_type))
    return checked


def _external_id(value: str) -> str:
    value = _text(value, "外部编号", required=False, limit=64, field_name="external_id")
    if any(ord(char) < 32 for char in value):
        raise ActionError("invalid", "外部编号不能含有控制字符。", "external_id")
    return value


def _validated(intake: Intake, categories: dict | None = None) -> dict:
    if intake.requester_kind not in REQUESTER_KINDS:
        raise ActionError("invalid", "诉求人类型只能是群众、基层或企业。", "requester_kind")
    if intake.channel not in CHANNELS:
        raise ActionError("invalid", f"来源渠道“{intake.channel}”无效。", "channel")
    known = categories.get(intake.category) if categories is not None and \
        isinstance(intake.category, str) else None
    category = _category(known or intake.category)
    phone = (intake.requester_phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise ActionError("invalid", "联系电话格式不正确。", "requester_phone")
    if intake.requester_kind == RequesterKind.ENTERPRISE and not (
            intake.enterprise or intake.requester_org.strip()):
        raise ActionError("invalid", "企业诉求请填写企业名称。", "requester_org")
    urgency = intake.urgency or category.urgency
    if urgency not in (1, 2, 3):
        raise ActionError("invalid", "紧急程度无效。", "urgency")
    return {
        "requester_kind": intake.requester_kind,
        "requester_name": _text(intake.requester_name, "诉求人姓名", required=False, limit=50,
                                field_name="requester_name"),
        "requester_phone": phone,
        "requester_org": _text(intake.requester_org, "所在单位", required=False, limit=100,
                               field_name="requester_org"),
        "enterprise": intake.enterprise,
        "grassroots_unit": intake.grassroots_unit,
        "channel": intake.channel,
        "external_id": _external_id(intake.external_id),
        "category": category,
        "title": _text(intake.title, "标题", limit=100, field_name="title"),
        "content": _text(intake.content, "诉求内容", limit=4000, field_name="content"),
        "address": _text(intake.address, "地址", required=False, limit=200,
                         field_name="address"),
        "longitude": _coordinate(intake.longitude, CHINA_LON, "经度", "longitude"),
        "latitude": _coordinate(intake.latitude, CHINA_LAT, "纬度", "latitude"),
        "urgency": urgency,
        "consent_publish": bool(intake.consent_publish),
    }


def _intake_unit() -> Unit:
    """The unit that owns demands until they are dispatched (数字化城市管理指挥中心)."""
    unit = Unit.objects.filter(code=settings.INTAKE_UNIT_CODE, is_active=True).first()
    if unit is None:
        raise ActionError("conflict",
                          f"未配置受理单位（INTAKE_UNIT_CODE={settings.INTAKE_UNIT_CODE}）。")
    return unit


def _existing(channel: str, external_id: str) -> Demand | None:
    if not external_id:
        return None
    return Demand.objects.filter(channel=channel, external_id=external_id).first()


def _create(actor, intake: Intake, state: str, at) -> tuple[Demand, bool]:
    fields = _validated(intake)
    files = _checked_attachments(intake.attachments)
    existing = _existing(fields["channel"], fields["external_id"])
    if existing is not None:
        return existing, False
    intake_unit = _intake_unit()
    for _attempt in range(5):
        demand = Demand(**fields, number=new_number(at), state=state,
                        current_unit=intake_unit, submitted_at=at)
        if state == State.RECEIVED:
            demand.first_receiver = actor
            demand.received_at = at
            _start_clock(demand, at)
        try:
            with transaction.atomic():
                demand.save()
            break
        except IntegrityError:
            existing = _existing(fields["channel"], fields["external_id"])
            if existing is not None:  # the same external id arrived twice at once
                return existing, False
            continue  # a tracking-number collision: draw again
    else:  # pragma: no cover - five collisions in a row means the generator is broken
        raise ActionError("conflict", "生成诉求编号失败，请重试。")
    for upload, content_type in files:
        Attachment.objects.create(demand=demand, file=upload, original_name=upload.name[:120],
                                  content_type=content_type, size=upload.size,
                                  uploaded_by=actor if actor and actor.is_authenticated else None,
                                  uploaded_at=at)
    kind = EventKind.REGISTER if state == State.RECEIVED else EventKind.SUBMIT
    _event(demand, kind, actor if actor and actor.is_authenticated else None, at,
           unit=intake_unit, channel=demand.channel)
    signals.demands_created.send(sender=Demand, demands=[demand], source="intake")
    if state == State.RECEIVED:
        signals.demands_received.send(sender=Demand, demands=[demand])
    return demand, True


@transaction.atomic
def submit(actor, intake: Intake, at=None) -> tuple[Demand, bool]:
    """Portal and system intake: the demand waits, owned by the intake unit, for a
    receiver. Idempotent on (channel, external id): returns (demand, created)."""
    at = _now(at)
    if actor is not None and actor.is_authenticated and not access.can_anywhere(
            actor, "demand.submit"):
        raise ActionError("forbidden", "该账号没有提交诉求的权限。")
    return _create(actor, intake, State.SUBMITTED, at)


@dataclass
class Submitted:
    """One item of a batch: the demand (new or already there), or why it was refused."""

    demand: Demand | None = None
    created: bool = False
    error: ActionError | None = None


@transaction.atomic
def submit_many(actor, intakes: list[Intake], at=None) -> list[Submitted]:
    """Batch intake for platforms that push in bulk: each item is checked on its own and
    refused items are reported, the rest are written together (two INSERTs). Same rules as
    ``submit``: idempotent on (channel, external id), owned by the intake unit, announced
    (``demands_created``) for duplicate detection. Attachments are not taken in batches."""
    at = _now(at)
    if actor is not None and actor.is_authenticated and not access.can_anywhere(
            actor, "demand.submit"):
        raise ActionError("forbidden", "该账号没有提交诉求的权限。")
    codes = {i.category for i in intakes if isinstance(i.category, str)}
    categories = {c.code: c for c in Category.objects.filter(code__in=codes)}
    results = [Submitted() for _ in intakes]
    valid: list[tuple[int, dict]] = []
    for index, intake in enumerate(intakes):
        try:
            if intake.attachments:
                raise ActionError("invalid", "批量提交不接受附件，请逐条提交。", "attachments")
            valid.append((index, _validated(intake, categories)))
        except ActionError as error:
            results[index].error = error
    keyed = [(f["channel"], f["external_id"]) for _, f in valid if f["external_id"]]
    existing = {}
    if keyed:
        condition = Q()
        for channel, external_id in set(keyed):
            condition |= Q(channel=channel, external_id=external_id)
        existing = {(d.channel, d.external_id): d for d in Demand.objects.filter(condition)}
    intake_unit = _intake_unit()
    fresh: list[tuple[int, Demand]] = []
    first_in_batch: dict[tuple[str, str], int] = {}
    for index, fields in valid:
        key = (fields["channel"], fields["external_id"])
        if fields["external_id"] and key in existing:
            results[index].demand = existing[key]
            continue
        if fields["external_id"] and key in first_in_batch:
            fresh.append((index, None))  # resolved to the first item after the insert
            results[index].created = False
            results[index].demand = first_in_batch[key]
            continue
        demand = Demand(**fields, number=new_number(at), state=State.SUBMITTED,
                        current_unit=intake_unit, submitted_at=at)
        if fields["external_id"]:
            first_in_batch[key] = index
        fresh.append((index, demand))
    new = [demand for _, demand in fresh if demand is not None]
    try:
        with transaction.atomic():
            Demand.objects.bulk_create(new)
    except IntegrityError:
        # A number collision or an external id that arrived meanwhile: take the slow,
        # exact path item by item (still in this transaction).
        for index, demand in fresh:
            if demand is None:
                continue
            intake = intakes[index]
            results[index].demand, results[index].created = _create(
                actor, intake, State.SUBMITTED, at)
        new = []
    else:
        for index, demand in fresh:
            if demand is not None:
                results[index].demand, results[index].created = demand, True
    staff = actor if actor is not None and actor.is_authenticated else None
    DemandEvent.objects.bulk_create([
        DemandEvent(demand=demand, kind=EventKind.SUBMIT, actor=staff, at=at, from_state="",
                    to_state=State.SUBMITTED, unit=intake_unit,
                    data={"channel": demand.channel}) for demand in new])
    for result in results:  # items that repeated an earlier item of the same batch
        if isinstance(result.demand, int):
            result.demand = results[result.demand].demand
    if new:
        signals.demands_created.send(sender=Demand, demands=new, source="batch")
    return results


# --- file import -----------------------------------------------------------------------
# What a re-imported row may change on a known demand: what the source system knows (the
# requester's words and whereabouts); category and urgency only until it is dispatched,
# after which they are the bureau's own judgement.
IMPORT_UPDATABLE = ("title", "content", "address", "requester_name", "requester_phone",
                    "requester_org", "longitude", "latitude")
IMPORT_UPDATABLE_BEFORE_DISPATCH = ("category", "urgency", "requester_kind")


@dataclass
class Imported:
    """One row of a file from another system: the demand, the moment the source received
    it, and (when the file is this installation's own export) its tracking number."""

    intake: Intake
    received_at: dt.datetime | None
    number: str = ""


@dataclass
class ImportOutcome:
    demand: Demand | None = None
    result: str = ""  # "created", "updated" or "unchanged"
    error: ActionError | None = None


def _imported_fields(item: Imported, categories, at) -> dict:
    fields = _validated(item.intake, categories)
    if not fields["external_id"] and not item.number:
        raise ActionError("invalid", "缺少外部编号（工单编号）。", "external_id")
    if item.received_at is None:
        raise ActionError("invalid", "缺少来电（受理）时间。", "received_at")
    if item.received_at > at + dt.timedelta(minutes=5):
        local = timezone.localtime(item.received_at)
        raise ActionError("invalid", f"来电时间 {local:%Y-%m-%d %H:%M} 晚于现在。",
                          "received_at")
    return fields


def _distinct_numbers(demands: list[Demand]) -> None:
    """Numbers unique inside the batch; a clash with the database (odds of one in hundreds
    of millions per row) fails the insert, and ``import_prepared`` builds the chunk again."""
    seen: set[str] = set()
    for demand in demands:
        while demand.number in seen:
            demand.number = new_number(demand.submitted_at)
        seen.add(demand.number)


@dataclass
class PreparedImport:
    """A chunk checked and its would-be demands built, without touching the database (so
    a file import can prepare the next chunk while the previous one is being written)."""

    channel: str
    at: dt.datetime
    outcomes: list[ImportOutcome]
    # (row index, checked fields, row, the new demand it becomes if it is not known yet)
    valid: list[tuple[int, dict, Imported, Demand]]


def prepare_import(items: list[Imported], *, channel: str, categories: dict | None,
                   intake_unit: Unit, staff, at) -> PreparedImport:
    if channel not in CHANNELS:
        raise ActionError("invalid", f"来源渠道“{channel}”无效。", "channel")
    outcomes = [ImportOutcome() for _ in items]
    valid = []
    for index, item in enumerate(items):
        item.intake.channel = channel
        try:
            fields = _imported_fields(item, categories, at)
        except ActionError as error:
            outcomes[index].error = error
            continue
        valid.append((index, fields, item,
                      _imported_demand(fields, item.received_at, intake_unit, staff)))
    return PreparedImport(channel, at, outcomes, valid)


def _importer(actor):
    staff = actor if actor is not None and actor.is_authenticated else None
    if staff is not None and not access.can_anywhere(staff, "demand.receive"):
        raise ActionError("forbidden", "您没有受理诉求的权限，不能导入。")
    return staff


@transaction.atomic
def import_prepared(actor, prepared: PreparedImport) -> list[ImportOutcome]:
    """A chunk of a file from another system (the 12345 hotline's exports), prepared by
    ``prepare_import``.

    Each row is received at the time the file gives, owned by the intake unit and waits
    for dispatch; the importer (or, from the command line, nobody: the source system) is
    its first receiver and its clock runs from that time. Idempotent: a row whose
    (channel, external id), or this installation's own number, is known updates that
    demand with what changed (``IMPORT_UPDATABLE``) or leaves it alone. Refused rows are
    reported with a Chinese reason; the others are written together.
    """
    staff = _importer(actor)
    valid, outcomes, channel = prepared.valid, prepared.outcomes, prepared.channel
    numbers = [item.number for _, _, item, _ in valid if item.number]
    external = [fields["external_id"] for _, fields, _, _ in valid if fields["external_id"]]
    for attempt in range(3):
        by_number, by_external = _known(channel, numbers, external)
        try:
            with transaction.atomic():
                created, updated = _write_imported(staff, valid, outcomes, by_number,
                                                   by_external, channel, prepared.at,
                                                   rebuild=attempt > 0)
            break
        except IntegrityError:
            # the same external id written meanwhile by another import, or a number drawn
            # twice: look again and draw again
            for index, *_ in valid:
                outcomes[index] = ImportOutcome()
    else:  # pragma: no cover
        raise ActionError("conflict", "导入时与其他任务冲突，请重试。")
    if created:
        signals.demands_created.send(sender=Demand, demands=created, source="import")
        signals.demands_received.send(sender=Demand, demands=created)
    if updated:
        signals.demands_updated.send(sender=Demand, demands=updated)
    return outcomes


def _known(channel: str, numbers: list[str], external: list[str]):
    """The demands a chunk's rows name, by number and by external id. First a cheap query
    for the ids (on PostgreSQL one array parameter instead of thousands of placeholders),
    then the rows themselves only for the few, or all, that exist."""
    pairs: list[tuple[int, str, str]] = []
    if numbers:
        pairs += [(pk, "number", value) for pk, value in Demand.objects.filter(
            number__in=numbers).values_list("pk", "number")]
    if external:
        if connection.vendor == "postgresql":
            # ``external_id <> ''`` repeats the partial unique index's condition, which
            # PostgreSQL cannot derive from a long list of values; the list travels as one
            # string (adapting thousands of values one by one cost more than the query)
            with connection.cursor() as cursor:
                cursor.execute("SELECT id, external_id FROM demands_demand WHERE channel = %s "
                               "AND external_id = ANY(string_to_array(%s, chr(31))) "
                               "AND external_id <> ''",
                               [channel, "\x1f".join(external)])
                pairs += [(pk, "external", value) for pk, value in cursor.fetchall()]
        else:
            pairs += [(pk, "external", value) for pk, value in Demand.objects.filter(
                channel=channel, external_id__in=external).values_list("pk", "external_id")]
    if not pairs:
        return {}, {}
    rows = Demand.objects.only("pk", "number", "external_id", "state", "category_id",
                               *IMPORT_UPDATABLE, *IMPORT_UPDATABLE_BEFORE_DISPATCH).in_bulk(
        {pk for pk, _, _ in pairs})
    by_number = {value: rows[pk] for pk, kind, value in pairs if kind == "number"}
    by_external = {value: rows[pk] for pk, kind, value in pairs if kind == "external"}
    return by_number, by_external


def _differs(demand: Demand, name: str, value) -> bool:
    if name == "category":  # compare ids: no query per row
        return demand.category_id != value.pk
    return getattr(demand, name) != value


_DEMAND_TEMPLATE: tuple[list, dict[str, int]] | None = None


def _demand_template():
    """Default values of every column, in the order of ``Demand(*values)``, and the
    position of each field by name."""
    global _DEMAND_TEMPLATE
    if _DEMAND_TEMPLATE is None:
        fields = Demand._meta.concrete_fields
        _DEMAND_TEMPLATE = ([field.get_default() for field in fields],
                            {field.name: index for index, field in enumerate(fields)})
    return _DEMAND_TEMPLATE


_ATTNAMES: list[str] = []


def _demand_attnames() -> list[str]:
    if not _ATTNAMES:
        _ATTNAMES.extend(field.attname for field in Demand._meta.concrete_fields)
    return _ATTNAMES


def _imported_demand(fields: dict, received, intake_unit: Unit, staff) -> Demand:
    """A new imported demand, built the way the ORM builds rows it reads (positional
    values): a fraction of the cost of keyword construction, which matters at a million
    rows."""
    defaults, position = _demand_template()
    values = defaults.copy()
    for name, value in fields.items():
        values[position[name]] = value
    category = fields["category"]
    values[position["category"]] = category.pk
    for name in ("enterprise", "grassroots_unit"):
        if fields[name] is not None:
            values[position[name]] = fields[name].pk
    deadline, warn_at = compute_deadline(category, received)
    for name, value in (("number", new_number(received)), ("state", State.RECEIVED),
                        ("current_unit", intake_unit.pk), ("submitted_at", received),
                        ("received_at", received), ("deadline", deadline),
                        ("warn_at", warn_at),
                        ("first_receiver", staff.pk if staff is not None else None)):
        values[position[name]] = value
    # Built as the ORM's own row loader would, without ``__init__``'s per-field work (no
    # model signal listens to a demand's construction).
    demand = Demand.__new__(Demand)
    demand.__dict__.update(zip(_demand_attnames(), values, strict=True))
    demand._state = ModelState()
    Demand.category.field.set_cached_value(demand, category)  # listeners need no query
    return demand


def _write_imported(staff, valid, outcomes, by_number, by_external, channel, at, *,
                    rebuild: bool):
    intake_unit = _intake_unit()
    new: list[Demand] = []
    changed: dict[int, tuple[Demand, set[str]]] = {}  # known demand id → changed fields
    for index, fields, item, built in valid:
        known = by_number.get(item.number) if item.number else None
        known = known or by_external.get(fields["external_id"])
        if known is not None:
            names = list(IMPORT_UPDATABLE)
            if known.state in (State.SUBMITTED, State.RECEIVED):
                names += IMPORT_UPDATABLE_BEFORE_DISPATCH
            differ = [name for name in names if _differs(known, name, fields[name])]
            for name in differ:
                setattr(known, name, fields[name])
            if differ:
                changed.setdefault(known.pk, (known, set()))[1].update(differ)
            outcomes[index].demand = known
            outcomes[index].result = "updated" if differ else "unchanged"
            continue
        demand = _imported_demand(fields, item.received_at, intake_unit, staff) \
            if rebuild else built
        if fields["external_id"]:
            by_external[fields["external_id"]] = demand  # a later row of the chunk updates it
        outcomes[index].demand = demand
        outcomes[index].result = "created"
        new.append(demand)
    if new:
        _distinct_numbers(new)
        bulk.insert(Demand, new)
    updated = [demand for key, (demand, _) in changed.items() if key is not None]
    for demand in updated:
        demand.updated_at = at  # bulk_update leaves auto_now fields alone
    if updated:
        Demand.objects.bulk_update(updated, [*IMPORT_UPDATABLE,
                                             *IMPORT_UPDATABLE_BEFORE_DISPATCH, "updated_at"])
    actor_id = staff.pk if staff is not None else None
    events = [{"demand_id": demand.pk, "kind": EventKind.REGISTER, "actor_id": actor_id,
               "at": demand.received_at, "from_state": "", "to_state": State.RECEIVED,
               "unit_id": intake_unit.pk, "reason": "",
               "data": {"channel": channel, "import": True}} for demand in new]
    events += [{"demand_id": demand.pk, "kind": EventKind.UPDATE, "actor_id": actor_id,
                "at": at, "from_state": demand.state, "to_state": demand.state, "unit_id": None,
                "reason": "", "data": {"fields": sorted(names)}}
               for key, (demand, names) in changed.items() if key is not None]
    bulk.insert_rows(DemandEvent, events)
    return new, updated


@transaction.atomic
def register(actor, intake: Intake, at=None) -> tuple[Demand, bool]:
    """Staff entry (phone, walk-in, Weibo, 网络问政): received at once, the actor being
    the first receiver, and the committed clock starts."""
    at = _now(at)
    if not access.can_anywhere(actor, "demand.receive"):
        raise ActionError("forbidden", "您没有受理诉求的权限。")
    return _create(actor, intake, State.RECEIVED, at)


# --- the loop --------------------------------------------------------------------------
@transaction.atomic
def receive(actor, demand: Demand, at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.receive", demand, "受理")
    _expect_state(demand, (State.SUBMITTED,), "受理")
    demand.state = State.RECEIVED
    demand.first_receiver = actor
    demand.received_at = at
    _start_clock(demand, at)
    demand.save(update_fields=["state", "first_receiver", "received_at", "deadline", "warn_at",
                               "sla_flag", "updated_at"])
    _event(demand, EventKind.RECEIVE, actor, at, State.SUBMITTED)
    signals.demands_received.send(sender=Demand, demands=[demand])
    return demand


def _target_unit(unit) -> Unit:
    if isinstance(unit, Unit):
        target = unit
    else:
        target = Unit.objects.filter(pk=unit).first() if isinstance(unit, int) else \
            Unit.objects.filter(code=unit).first()
    if target is None or not target.is_active:
        raise ActionError("invalid", "请选择有效的责任单位。", "unit")
    return target


@transaction.atomic
def dispatch(actor, demand: Demand, unit, note: str = "", at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.dispatch", demand, "派遣")
    _expect_state(demand, (State.RECEIVED,), "派遣")
    target = _target_unit(unit)
    note = _text(note, "派遣说明", required=False, limit=500, field_name="note")
    return _dispatch(actor, demand, target, note, at)


def _dispatch(actor, demand: Demand, target: Unit, note: str, at, **data) -> Demand:
    demand.state = State.DISPATCHED
    demand.current_unit = target
    demand.handler = None
    demand.dispatched_at = demand.dispatched_at or at
    demand.save(update_fields=["state", "current_unit", "handler", "dispatched_at",
                               "updated_at"])
    _event(demand, EventKind.DISPATCH, actor, at, State.RECEIVED, unit=target, reason=note,
           **data)
    notify(_unit_staff(target), "demand.dispatched", f"新派遣诉求 {demand.number}：{demand.title}",
           f"承诺办结时限 {timezone.localtime(demand.deadline):%Y-%m-%d %H:%M}，请及时签收。",
           _link(demand), at=at)
    return demand


@transaction.atomic
def auto_dispatch(demand: Demand, unit, *, confidence: float, model_version: int,
                  at=None) -> Demand:
    """智能分派: the routing model dispatches without a person (the actor is the system,
    ``None``). Same state check, fields and notifications as ``dispatch``; the event's
    data says ``auto`` with the model's confidence and version, so every automatic
    dispatch can be told apart and audited."""
    at = _now(at)
    demand = _lock(demand)
    _expect_state(demand, (State.RECEIVED,), "智能分派")
    target = _target_unit(unit)
    if not 0 <= confidence <= 1:
        raise ActionError("invalid", "置信度须在 0 到 1 之间。", "confidence")
    return _dispatch(None, demand, target, "", at, auto=True,
                     confidence=round(float(confidence), 4), model_version=int(model_version))


@transaction.atomic
def accept(actor, demand: Demand, at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.handle", demand, "签收")
    _expect_state(demand, (State.DISPATCHED,), "签收")
    demand.state = State.HANDLING
    demand.handler = actor
    demand.accepted_at = at
    demand.save(update_fields=["state", "handler", "accepted_at", "updated_at"])
    _event(demand, EventKind.ACCEPT, actor, at, State.DISPATCHED, unit=demand.current_unit)
    return demand


@transaction.atomic
def return_(actor, demand: Demand, reason: str, at=None) -> Demand:
    """退单: the unit says it is not theirs; back to dispatch, with the reason."""
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.handle", demand, "退单")
    _expect_state(demand, (State.DISPATCHED, State.HANDLING), "退单")
    reason = _text(reason, "退单理由", limit=500, field_name="reason")
    from_state, from_unit = demand.state, demand.current_unit
    demand.state = State.RECEIVED
    demand.current_unit = _intake_unit()
    demand.handler = None
    demand.accepted_at = None
    demand.return_count += 1
    demand.save(update_fields=["state", "current_unit", "handler", "accepted_at",
                               "return_count", "updated_at"])
    _event(demand, EventKind.RETURN, actor, at, from_state, unit=from_unit, reason=reason)
    notify([*_bureau(Role.DISPATCHER), demand.first_receiver], "demand.returned",
           f"诉求 {demand.number} 被{from_unit.display_name}退单", reason, _link(demand), at=at)
    return demand


@transaction.atomic
def transfer(actor, demand: Demand, unit, reason: str, at=None) -> Demand:
    """转办: straight to another unit (by dispatch, or by the current unit's head)."""
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.transfer", demand, "转办")
    _expect_state(demand, (State.DISPATCHED, State.HANDLING), "转办")
    target = _target_unit(unit)
    if target.pk == demand.current_unit_id:
        raise ActionError("invalid", "转办单位与当前责任单位相同。", "unit")
    reason = _text(reason, "转办理由", limit=500, field_name="reason")
    from_state, from_unit = demand.state, demand.current_unit
    demand.state = State.DISPATCHED
    demand.current_unit = target
    demand.handler = None
    demand.accepted_at = None
    demand.save(update_fields=["state", "current_unit", "handler", "accepted_at", "updated_at"])
    _event(demand, EventKind.TRANSFER, actor, at, from_state, unit=target, reason=reason,
           from_unit=from_unit.code)
    notify(_unit_staff(target), "demand.dispatched", f"转办诉求 {demand.number}：{demand.title}",
           reason, _link(demand), at=at)
    return demand


@transaction.atomic
def request_extension(actor, demand: Demand, extra_days: int, reason: str, at=None):
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.handle", demand, "申请延期")
    _expect_state(demand, (State.HANDLING, State.FOLLOW_UP), "申请延期")
    if not isinstance(extra_days, int) or not 1 <= extra_days <= MAX_EXTENSION_DAYS:
        raise ActionError("invalid", f"延长天数须为 1 至 {MAX_EXTENSION_DAYS} 个工作日。",
                          "extra_days")
    reason = _text(reason, "延期理由", limit=500, field_name="reason")
    if demand.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise ActionError("conflict", "已有一项延期申请在审批中。")
    request = ExtensionRequest.objects.create(demand=demand, requested_by=actor,
                                              requested_at=at, extra_days=extra_days,
                                              reason=reason)
    _event(demand, EventKind.REQUEST_EXTENSION, actor, at, demand.state, reason=reason,
           extra_days=extra_days, request=request.pk)
    notify(_bureau(Role.DISPATCHER, Role.SUPERVISOR), "demand.extension_requested",
           f"诉求 {demand.number} 申请延期 {extra_days} 个工作日", reason, _link(demand), at=at)
    return request


def _pending_extension(demand: Demand) -> ExtensionRequest:
    request = demand.extension_requests.select_for_update().filter(
        status=ExtensionStatus.PENDING).first()
    if request is None:
        raise ActionError("wrong_state", "该诉求没有待审批的延期申请。")
    return request


@transaction.atomic
def approve_extension(actor, demand: Demand, note: str = "", at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.approve_extension", demand, "批准延期")
    request = _pending_extension(demand)
    note = _text(note, "审批意见", required=False, limit=500, field_name="note")
    cal = calendar.current()
    old = demand.deadline
    demand.deadline = cal.add_days(demand.deadline, request.extra_days)
    demand.warn_at = max(cal.subtract_hours(demand.deadline, demand.category.warning_hours),
                         demand.warn_at or at)
    demand.sla_flag = SlaFlag.NORMAL if demand.deadline > at else demand.sla_flag
    demand.extension_count += 1
    demand.save(update_fields=["deadline", "warn_at", "sla_flag", "extension_count",
                               "updated_at"])
    request.status, request.decided_by, request.decided_at = ExtensionStatus.APPROVED, actor, at
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(demand, EventKind.APPROVE_EXTENSION, actor, at, demand.state, reason=note,
           old_deadline=old.isoformat(), new_deadline=demand.deadline.isoformat())
    notify([request.requested_by], "demand.extension_decided",
           f"诉求 {demand.number} 延期已批准",
           f"新的办结时限：{timezone.localtime(demand.deadline):%Y-%m-%d %H:%M}", _link(demand),
           at=at)
    return demand


@transaction.atomic
def refuse_extension(actor, demand: Demand, note: str, at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.approve_extension", demand, "驳回延期")
    request = _pending_extension(demand)
    note = _text(note, "驳回理由", limit=500, field_name="note")
    request.status, request.decided_by, request.decided_at = ExtensionStatus.REFUSED, actor, at
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(demand, EventKind.REFUSE_EXTENSION, actor, at, demand.state, reason=note)
    notify([request.requested_by], "demand.extension_decided",
           f"诉求 {demand.number} 延期申请被驳回", note, _link(demand), at=at)
    return demand


@transaction.atomic
def urge(actor, demand: Demand, note: str = "", at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.urge", demand, "催办")
    _expect_state(demand, CLOCK_STATES, "催办")
    note = _text(note, "催办说明", required=False, limit=500, field_name="note")
    _event(demand, EventKind.URGE, actor, at, demand.state, unit=demand.current_unit,
           reason=note)
    notify([demand.handler] if demand.handler else _unit_staff(demand.current_unit),
           "demand.urged", f"催办：诉求 {demand.number} {demand.title}", note, _link(demand),
           at=at)
    return demand


@transaction.atomic
def supervise(actor, demand: Demand, instruction: str, respond_by=None, at=None):
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.supervise", demand, "督办")
    _expect_state(demand, OPEN_STATES, "督办")
    instruction = _text(instruction, "督办要求", limit=1000, field_name="instruction")
    if respond_by is not None and respond_by <= at:
        raise ActionError("invalid", "反馈期限必须晚于现在。", "respond_by")
    order = SupervisionOrder.objects.create(demand=demand, issued_by=actor, issued_at=at,
                                            instruction=instruction, respond_by=respond_by)
    _event(demand, EventKind.SUPERVISE, actor, at, demand.state, unit=demand.current_unit,
           reason=instruction, order=order.pk)
    notify([*_unit_heads(demand.current_unit), demand.handler], "demand.supervised",
           f"督办：诉求 {demand.number} {demand.title}", instruction, _link(demand), at=at)
    return order


@transaction.atomic
def reply(actor, demand: Demand, content: str, at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.handle", demand, "答复")
    _expect_state(demand, (State.HANDLING,), "答复")
    content = _text(content, "答复内容", limit=2000, field_name="content")
    demand.state = State.REPLIED
    demand.reply = content
    demand.replied_at = at
    if demand.first_replied_at is None:
        demand.first_replied_at = at
        demand.replied_on_time = at <= demand.deadline
    link = _issue_evaluation_link(demand)
    demand.save(update_fields=["state", "reply", "replied_at", "first_replied_at",
                               "replied_on_time", "evaluation_token_hash", "updated_at"])
    _event(demand, EventKind.REPLY, actor, at, State.HANDLING, unit=demand.current_unit,
           reason=content, on_time=at <= demand.deadline)
    _tell_requester(demand, f"您的诉求（{demand.number}）已答复，请对办理结果评价：{link}")
    _relay_reply(actor, demand, at)
    return demand


def _apply_evaluation(actor, demand: Demand, level: int, source: str, comment: str, at):
    if level not in Level.values:
        raise ActionError("invalid", "评价等级须为 1 至 5。", "level")
    comment = _text(comment, "评价意见", required=False, limit=1000, field_name="comment")
    Evaluation.objects.create(demand=demand, level=level, source=source, comment=comment,
                              round=demand.follow_up_count + 1,
                              recorded_by=actor if actor and actor.is_authenticated else None,
                              at=at)
    demand.evaluation_level = level
    demand.evaluated_at = at
    demand.evaluation_token_hash = ""  # the link works once
    if demand.first_evaluation_level is None:
        demand.first_evaluation_level = level
        demand.first_evaluated_at = at
    staff = actor if actor and actor.is_authenticated else None
    if level >= 3:
        demand.state = State.CLOSED
        demand.closed_at = at
        demand.save(update_fields=["state", "evaluation_level", "evaluated_at", "closed_at",
                                   "visited_at", "first_evaluation_level",
                                   "first_evaluated_at", "evaluation_token_hash",
                                   "updated_at"])
        _event(demand, EventKind.EVALUATE, staff, at, State.REPLIED, reason=comment,
               level=level, source=source)
        return demand
    # 差评整改: reopen with its own committed time limit.
    demand.state = State.FOLLOW_UP
    demand.follow_up_count += 1
    _start_clock(demand, at)
    demand.save(update_fields=["state", "evaluation_level", "evaluated_at", "visited_at",
                               "first_evaluation_level", "first_evaluated_at",
                               "follow_up_count", "deadline", "warn_at", "sla_flag",
                               "evaluation_token_hash", "updated_at"])
    _event(demand, EventKind.EVALUATE, staff, at, State.REPLIED, reason=comment, level=level,
           source=source)
    _event(demand, EventKind.FOLLOW_UP, staff, at, State.FOLLOW_UP, unit=demand.current_unit,
           deadline=demand.deadline.isoformat())
    notify([*_unit_heads(demand.current_unit), demand.handler], "demand.follow_up",
           f"差评整改：诉求 {demand.number}（{Level(level).label}）", comment, _link(demand),
           at=at)
    return demand


@transaction.atomic
def evaluate(actor, demand: Demand, level: int, source: str = EvaluationSource.WEB,
             comment: str = "", at=None) -> Demand:
    """The requester's own evaluation (web link, SMS, or a system via the API)."""
    at = _now(at)
    demand = _lock(demand)
    _expect_state(demand, (State.REPLIED,), "评价")
    if source not in EvaluationSource.values or source == EvaluationSource.VISIT:
        raise ActionError("invalid", "评价方式无效。", "source")
    return _apply_evaluation(actor, demand, level, source, comment, at)


@transaction.atomic
def evaluate_by_token(token: str, level: int, comment: str = "", at=None) -> Demand:
    """The requester's one-time link. An unknown, used or expired link says only that."""
    at = _now(at)
    demand = Demand.objects.filter(evaluation_token_hash=token_hash(token or "")).first() \
        if token else None
    if demand is None:
        raise ActionError("not_found", "评价链接无效或已使用。")
    demand = _lock(demand)
    if demand.evaluation_token_hash != token_hash(token):
        raise ActionError("not_found", "评价链接无效或已使用。")
    _expect_state(demand, (State.REPLIED,), "评价")
    return _apply_evaluation(None, demand, level, EvaluationSource.SMS, comment, at)


@transaction.atomic
def record_visit(actor, demand: Demand, reached: bool, level: int | None = None,
                 note: str = "", at=None) -> Demand:
    """回访: staff call the requester; when reached, their evaluation is recorded."""
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.visit", demand, "回访")
    _expect_state(demand, (State.REPLIED,), "回访")
    demand.visited_at = at
    if reached:
        if level is None:
            raise ActionError("invalid", "请选择诉求人的满意度评价。", "level")
        _event(demand, EventKind.VISIT, actor, at, State.REPLIED, reason=note, reached=True)
        return _apply_evaluation(actor, demand, level, EvaluationSource.VISIT, note, at)
    note = _text(note, "回访情况", limit=500, field_name="note")
    demand.save(update_fields=["visited_at", "updated_at"])
    _event(demand, EventKind.VISIT, actor, at, State.REPLIED, reason=note, reached=False)
    return demand


@transaction.atomic
def answer_follow_up(actor, demand: Demand, content: str, at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.handle", demand, "整改答复")
    _expect_state(demand, (State.FOLLOW_UP,), "整改答复")
    content = _text(content, "整改答复内容", limit=2000, field_name="content")
    demand.state = State.REPLIED
    demand.reply = content
    demand.replied_at = at
    link = _issue_evaluation_link(demand)
    demand.save(update_fields=["state", "reply", "replied_at", "evaluation_token_hash",
                               "updated_at"])
    _event(demand, EventKind.ANSWER_FOLLOW_UP, actor, at, State.FOLLOW_UP,
           unit=demand.current_unit, reason=content, on_time=at <= demand.deadline)
    _tell_requester(demand, f"您的诉求（{demand.number}）已整改答复，请再次评价：{link}")
    _relay_reply(actor, demand, at, label="整改答复")
    return demand


def _relay_reply(actor, original: Demand, at, *, followers=None, label: str = "答复") -> int:
    """Merged demands follow their original: the requester of every demand merged into
    ``original`` (directly or through another merged demand) gets its reply by SMS, and a
    RELAY event on that demand records it. ``followers``: only these merged demands (and
    those merged into them), e.g. the one just merged. Returns how many were told."""
    pending = list(followers) if followers is not None else list(
        Demand.objects.filter(duplicate_of=original, state=State.MERGED))
    seen = {original.pk}
    told = 0
    while pending:
        demand = pending.pop()
        if demand.pk in seen:
            continue
        seen.add(demand.pk)
        _event(demand, EventKind.RELAY, actor, at, demand.state, unit=original.current_unit,
               reason=original.reply, original=original.number)
        _tell_requester(demand, f"您反映的问题（诉求 {demand.number}）已与诉求 {original.number} "
                                f"合并办理，{label}：{original.reply}")
        told += 1
        pending.extend(Demand.objects.filter(duplicate_of=demand, state=State.MERGED))
    return told


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
    at = _now(at)
    demand = _lock(demand)
    if not may_triage(actor, demand):
        raise ActionError("forbidden", "您没有权限对该诉求执行“并单”。")
    _expect_state(demand, (State.SUBMITTED, State.RECEIVED), "并单")
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
    _event(demand, EventKind.MERGE, actor, at, from_state, into=into.number)
    if into.first_replied_at is not None and into.reply:
        _relay_reply(actor, into, at, followers=[demand])
    return demand


@transaction.atomic
def invalidate(actor, demand: Demand, reason: str, at=None) -> Demand:
    at = _now(at)
    demand = _lock(demand)
    if not may_triage(actor, demand):
        raise ActionError("forbidden", "您没有权限对该诉求执行“作废”。")
    _expect_state(demand, (State.SUBMITTED, State.RECEIVED), "作废")
    reason = _text(reason, "作废理由", limit=500, field_name="reason")
    from_state = demand.state
    demand.state = State.INVALID
    demand.closed_at = at
    demand.save(update_fields=["state", "closed_at", "updated_at"])
    _event(demand, EventKind.INVALIDATE, actor, at, from_state, reason=reason)
    return demand


@transaction.atomic
def close(actor, demand: Demand, note: str, at=None) -> Demand:
    """办结 without an evaluation: only after a return visit could not reach the
    requester."""
    at = _now(at)
    demand = _lock(demand)
    _require(actor, "demand.visit", demand, "办结")
    _expect_state(demand, (State.REPLIED,), "办结")
    if demand.visited_at is None:
        raise ActionError("wrong_state", "请先回访诉求人；联系不上时记录回访情况后再办结。")
    note = _text(note, "办结说明", limit=500, field_name="note")
    demand.state = State.CLOSED
    demand.closed_at = at
    demand.save(update_fields=["state", "closed_at", "updated_at"])
    _event(demand, EventKind.CLOSE, actor, at, State.REPLIED, reason=note)
    return demand
