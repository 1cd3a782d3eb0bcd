"""Changes to the gazetteer and to the places demands name (docs/places.md)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from demands.actions import triage
from demands.models import Demand
from lib.errors import ActionError, clean_text
from org import access

from .models import SPECIFICITY, Mention, Place, PlaceKind, PlaceSource
from .recognise import Found, recognise

BATCH = 2000


def record_mentions(demands, *, replace: bool = False) -> int:
    """Recognise and store the places ``demands`` name; give a demand without a point the
    point of the most specific place it names that has one (``Demand.point_source =
    "place"``). Returns the mentions written."""
    demands = list(demands)
    if not demands:
        return 0
    if replace:
        Mention.objects.filter(demand__in=[d.pk for d in demands]).delete()
    mentions, located = [], {}
    points = None
    for demand in demands:
        found = recognise(demand.title, demand.content, demand.address)
        mentions += [Mention(demand_id=demand.pk, place_id=f.place_id, name=f.name[:40],
                             text=f.text[:40], kind=f.kind, field=f.field,
                             position=f.position) for f in found]
        if demand.longitude is None and any(f.place_id for f in found):
            if points is None:
                points = {pk: (lon, lat) for pk, lon, lat in Place.objects.filter(
                    longitude__isnull=False, latitude__isnull=False).values_list(
                    "pk", "longitude", "latitude")}
            best = most_specific([f for f in found if f.place_id in points])
            if best is not None:
                located[demand.pk] = points[best.place_id]
    # a matcher built inside a transaction that was then rolled back may name a place that
    # is gone: such a mention keeps its name, without the place
    named = {m.place_id for m in mentions if m.place_id}
    if named:
        existing = set(Place.objects.filter(pk__in=named).values_list("pk", flat=True))
        for mention in mentions:
            if mention.place_id and mention.place_id not in existing:
                mention.place_id = None
    Mention.objects.bulk_create(mentions, batch_size=BATCH)
    if located:
        triage.locate(located)
    return len(mentions)


def most_specific(found: list[Found]) -> Found | None:
    """The estate before the road it is on, the road before the district."""
    order = {kind: rank for rank, kind in enumerate(SPECIFICITY)}
    return min(found, key=lambda f: (order.get(f.kind, 99), f.field != "address", f.position),
               default=None)


def _require(actor):
    if not access.can_anywhere(actor, "place.edit"):
        raise ActionError("forbidden", "您没有维护地名库的权限。")


def _aliases(values, name: str) -> list[str]:
    out = []
    for alias in values or []:
        alias = "".join(str(alias).split())
        if not alias or alias == name or alias in out:
            continue
        if len(alias) > 40:
            raise ActionError("invalid", f"别名“{alias[:20]}…”太长（最多 40 字）。", "aliases")
        out.append(alias)
    return out


def _coordinate(value, low, high, label, name) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError:
        raise ActionError("invalid", f"{label}必须是数字。", name) from None
    if not low <= number <= high:
        raise ActionError("invalid", f"{label} {value} 不在中国境内，请检查经纬度是否填反。",
                          name)
    return number


@transaction.atomic
def save_place(actor, place: Place | None, *, name: str, kind: str, aliases=(),
               district: str = "", longitude=None, latitude=None,
               confirmed: bool = True, is_active: bool = True) -> Place:
    """Create or edit a place of the gazetteer."""
    _require(actor)
    name = "".join(clean_text(name, "名称", limit=40, field_name="name").split())
    if kind not in PlaceKind.values:
        raise ActionError("invalid", "请选择地名类型。", "kind")
    clash = Place.objects.filter(name=name).exclude(pk=place.pk if place else None).first()
    if clash is not None:
        raise ActionError("invalid", f"地名库中已有“{name}”。", "name")
    lon = _coordinate(longitude, Decimal("73"), Decimal("136"), "经度", "longitude")
    lat = _coordinate(latitude, Decimal("3"), Decimal("54"), "纬度", "latitude")
    if (lon is None) != (lat is None):
        raise ActionError("invalid", "经度和纬度要么都填，要么都不填。", "longitude")
    place = place or Place(source=PlaceSource.MANUAL)
    place.name, place.kind = name, kind
    place.aliases = _aliases(aliases, name)
    place.district = clean_text(district, "所在区县", required=False, limit=20,
                                field_name="district")
    place.longitude, place.latitude = lon, lat
    place.confirmed, place.is_active = bool(confirmed), bool(is_active)
    place.save()
    return place


@transaction.atomic
def merge(actor, place: Place, into: Place) -> Place:
    """``place`` is another name of ``into``: it becomes an alias, its mentions follow."""
    _require(actor)
    if place.pk == into.pk:
        raise ActionError("invalid", "不能合并到它自己。", "into")
    into = Place.objects.select_for_update().get(pk=into.pk)
    into.aliases = _aliases([*into.aliases, *place.names], into.name)
    into.demand_count += place.demand_count
    if into.longitude is None and place.longitude is not None:
        into.longitude, into.latitude = place.longitude, place.latitude
    Mention.objects.filter(place=place).update(place=into, name=into.name)
    Mention.objects.filter(place__isnull=True, name__in=place.names).update(
        place=into, name=into.name)
    place.delete()
    into.save()
    return into


def candidates(min_demands: int = 2, limit: int = 500) -> list[tuple[str, str, int]]:
    """Names recognised by their form but not in the gazetteer, with how many demands
    name them, most named first: what the gazetteer could grow by."""
    known = set(Place.objects.values_list("name", flat=True))
    for aliases in Place.objects.values_list("aliases", flat=True):
        known.update(aliases or [])
    rows = (Mention.objects.filter(place__isnull=True).values("name", "kind")
            .annotate(n=Count("demand", distinct=True)).filter(n__gte=min_demands)
            .order_by("-n", "name"))
    return [(row["name"], row["kind"], row["n"]) for row in rows[:limit]
            if row["name"] not in known]


@transaction.atomic
def grow(actor, min_demands: int = 2) -> int:
    """Add the names demands use (``candidates``) to the gazetteer as unconfirmed places
    (从诉求地址生成) for staff to confirm, merge or deactivate. Returns how many."""
    _require(actor)
    made = 0
    for name, kind, count in candidates(min_demands):
        Place.objects.create(name=name, kind=kind, source=PlaceSource.ADDRESSES,
                             confirmed=False, demand_count=count)
        made += 1
    return made


def rescan(demand_ids=None, progress=None) -> int:
    """Recognise again (after the gazetteer changed): all demands, or those given, in
    batches; ``progress(done, total)`` after each. Returns the demands scanned."""
    rows = Demand.objects.order_by("pk")
    if demand_ids is not None:
        rows = rows.filter(pk__in=list(demand_ids))
    total = rows.count()
    done, last = 0, 0
    while True:
        batch = list(rows.filter(pk__gt=last).only(
            "pk", "title", "content", "address", "longitude", "latitude")[:BATCH])
        if not batch:
            break
        with transaction.atomic():
            record_mentions(batch, replace=True)
        done += len(batch)
        last = batch[-1].pk
        if progress:
            progress(done, total)
    counts = Counter(Mention.objects.filter(place__isnull=False).values_list(
        "place_id", flat=True))
    for place in Place.objects.all():
        if place.demand_count != counts.get(place.pk, 0) and place.confirmed:
            Place.objects.filter(pk=place.pk).update(demand_count=counts.get(place.pk, 0))
    return done
