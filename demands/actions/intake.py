"""A new demand from any interface: the portal and systems (``submit``, ``submit_many``)
and staff entry (``register``). One validation for all of them (``validated``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q

from catalog.models import Category, Urgency
from enterprises.models import Enterprise
from lib import filetype, phones
from lib.errors import ActionError
from lib.errors import clean_text as _text
from org import access
from org.models import Unit

from .. import clock, signals
from ..models import (
    Attachment,
    Channel,
    Demand,
    DemandEvent,
    EventKind,
    RequesterKind,
    State,
    new_number,
)
from ._common import (
    get_intake_unit,
    moment,
    record,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
REQUESTER_KINDS = frozenset(RequesterKind.values)  # (Enum.values builds a list each time)
CHANNELS = frozenset(Channel.values)
MAX_ATTACHMENTS = 9
MAX_EXTENSION_DAYS = 30
# Where a WGS84 point must fall to be in China (catches swapped or missing coordinates).
CHINA_LON = (Decimal("73"), Decimal("136"))
CHINA_LAT = (Decimal("3"), Decimal("54"))


# --- intake ----------------------------------------------------------------------------
@dataclass
class Intake:
    """A new demand as any interface hands it in (already typed; checked here)."""

    requester_kind: str
    channel: str
    category: Category | str | int | None  # None or "": 待分类, classified later
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
    # a message board's 点赞数/反对数 (imports): part of a hot topic's heat
    supports: int | str | None = None
    opposes: int | str | None = None


def _count(value, label: str, name: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(float(str(value).strip()))
    except ValueError:
        raise ActionError("invalid", f"{label}必须是整数。", name) from None
    if not 0 <= number <= 10_000_000:
        raise ActionError("invalid", f"{label}“{value}”超出范围。", name)
    return number


def leaf_category(value) -> Category:
    """An active leaf category, by object, code or id; a clear error otherwise."""
    if value in (None, ""):
        raise ActionError("invalid", "请选择类别。", "category")
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


def validated(intake: Intake, categories: dict | None = None) -> dict:
    if intake.requester_kind not in REQUESTER_KINDS:
        raise ActionError("invalid", "诉求人类型只能是群众、基层或企业。", "requester_kind")
    if intake.channel not in CHANNELS:
        raise ActionError("invalid", f"来源渠道“{intake.channel}”无效。", "channel")
    known = categories.get(intake.category) if categories is not None and \
        isinstance(intake.category, str) else None
    category = None if intake.category in (None, "") else \
        leaf_category(known or intake.category)
    phone = (intake.requester_phone or "").strip()
    if phone and not phones.is_accepted(phone):
        raise ActionError("invalid", "联系电话格式不正确。", "requester_phone")
    if intake.requester_kind == RequesterKind.ENTERPRISE and not (
            intake.enterprise or intake.requester_org.strip()):
        raise ActionError("invalid", "企业诉求请填写企业名称。", "requester_org")
    urgency = intake.urgency or (category.urgency if category else Urgency.NORMAL)
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
        "supports": _count(intake.supports, "点赞数", "supports"),
        "opposes": _count(intake.opposes, "反对数", "opposes"),
    }


def _existing(channel: str, external_id: str) -> Demand | None:
    if not external_id:
        return None
    return Demand.objects.filter(channel=channel, external_id=external_id).first()


def _create(actor, intake: Intake, state: str, at) -> tuple[Demand, bool]:
    fields = validated(intake)
    files = _checked_attachments(intake.attachments)
    existing = _existing(fields["channel"], fields["external_id"])
    if existing is not None:
        return existing, False
    intake_unit = get_intake_unit()
    for _attempt in range(5):
        demand = Demand(**fields, number=new_number(at), state=state,
                        current_unit=intake_unit, submitted_at=at)
        if state == State.RECEIVED:
            demand.first_receiver = actor
            demand.received_at = at
            clock.start(demand, at, committed=True)
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
    record(demand, kind, actor if actor and actor.is_authenticated else None, at,
           unit=intake_unit, channel=demand.channel)
    signals.demands_created.send(sender=Demand, demands=[demand], source="intake")
    if state == State.RECEIVED:
        signals.demands_received.send(sender=Demand, demands=[demand])
    return demand, True


@transaction.atomic
def submit(actor, intake: Intake, at=None) -> tuple[Demand, bool]:
    """Portal and system intake: the demand waits, owned by the intake unit, for a
    receiver. Idempotent on (channel, external id): returns (demand, created)."""
    at = moment(at)
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
    at = moment(at)
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
            valid.append((index, validated(intake, categories)))
        except ActionError as error:
            results[index].error = error
    keyed = [(f["channel"], f["external_id"]) for _, f in valid if f["external_id"]]
    existing = {}
    if keyed:
        condition = Q()
        for channel, external_id in set(keyed):
            condition |= Q(channel=channel, external_id=external_id)
        existing = {(d.channel, d.external_id): d for d in Demand.objects.filter(condition)}
    intake_unit = get_intake_unit()
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




@transaction.atomic
def register(actor, intake: Intake, at=None) -> tuple[Demand, bool]:
    """Staff entry (phone, walk-in, Weibo, 网络问政): received at once, the actor being
    the first receiver, and the committed clock starts."""
    at = moment(at)
    if not access.can_anywhere(actor, "demand.receive"):
        raise ActionError("forbidden", "您没有受理诉求的权限。")
    return _create(actor, intake, State.RECEIVED, at)

