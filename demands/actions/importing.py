"""Rows of a file from another system (the 12345 hotline's exports), written in chunks:
``prepare_import`` checks a chunk and builds its demands without the database,
``import_prepared`` writes it. See docs/imports.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from lib import bulk
from lib.errors import ActionError
from org import access
from org.models import Unit

from .. import clock, signals
from ..models import (
    Demand,
    DemandEvent,
    EventKind,
    State,
    new_number,
)
from ._common import (
    get_intake_unit,
)
from .intake import CHANNELS, Intake, validated

# --- file import -----------------------------------------------------------------------
# What a re-imported row may change on a known demand: what the source system knows (the
# requester's words and whereabouts); category and urgency only until it is dispatched,
# after which they are the bureau's own judgement.
IMPORT_UPDATABLE = ("title", "content", "address", "requester_name", "requester_phone",
                    "requester_org", "longitude", "latitude", "supports", "opposes")
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
    fields = validated(item.intake, categories)
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
    if name == "category":  # compare ids: no query per row; a file without a category
        # leaves the one the demand got (classified by staff or predicted) alone
        return value is not None and demand.category_id != value.pk
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
    category = fields["category"]  # None: 待分类
    values[position["category"]] = category.pk if category is not None else None
    for name in ("enterprise", "grassroots_unit"):
        if fields[name] is not None:
            values[position[name]] = fields[name].pk
    window = clock.due(category, received)
    for name, value in (("number", new_number(received)), ("state", State.RECEIVED),
                        ("current_unit", intake_unit.pk), ("submitted_at", received),
                        ("received_at", received), ("deadline", window.deadline),
                        ("warn_at", window.warn_at),
                        ("committed_deadline", window.deadline),
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
    intake_unit = get_intake_unit()
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

