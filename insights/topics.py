"""Hot topics (热点问题): many demands about one matter at one place, whether the place is a
point on the map or a name in the text — what 12345 staff see when forty messages name
the same market.

Two ways in, one ranking:

* **by named place** — demands that name the same place (``places.Mention``: a place of
  the gazetteer, or the same recognised name; each demand counted at its most specific
  place: the estate rather than the road it is on; districts are too wide to say "the
  same place") and whose texts are alike (cosine ≥ ``HOTSPOT_TEXT_SIMILARITY``, the
  hotspots' text vectors), linked into groups; no point needed;
* **by point** — the hotspots of ``insights.hotspots`` (points within the radius and
  texts alike). A point hotspot that shares most of its demands with a named-place topic
  joins it.

**Heat** (热度指数), documented in docs/hotspots.md:

    H = R × (1 + log10(1 + V)) × (1 + 7 / (7 + T))

R — distinct requesters (by phone, else name; a demand without either counts alone);
V — support counts the source exported (点赞数 + 反对数: attention either way);
T — span in days from the first demand to the last (the same number in a week is hotter
than in a month). Topics are ranked by heat, then size, then the latest demand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models.functions import Left

from demands.models import Demand, State
from places.models import SPECIFICITY, Mention, PlaceKind

from . import hotspots

WIDE_KINDS = (PlaceKind.DISTRICT,)


@dataclass(frozen=True)
class TopicDemand:
    id: int
    number: str
    external_id: str
    title: str
    content: str
    submitted_at: dt.datetime
    supports: int
    opposes: int


@dataclass
class Topic:
    kind: str  # "place" (a named place) or "point" (a point hotspot)
    place: str
    keywords: list[str]
    demands: list[TopicDemand]
    requesters: int
    supports: int
    opposes: int
    first_at: dt.datetime
    last_at: dt.datetime
    heat: float = 0.0
    rank: int = 0
    centre: tuple[float, float] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.demands)

    @property
    def matter(self) -> str:
        return "、".join(self.keywords)

    @property
    def kind_label(self) -> str:
        return "地名" if self.kind == "place" else "坐标"

    @property
    def period(self) -> str:
        return f"{self.first_at:%Y/%m/%d} 至 {self.last_at:%Y/%m/%d}"


def heat(requesters: int, votes: int, first_at: dt.datetime, last_at: dt.datetime) -> float:
    span_days = max((last_at - first_at).total_seconds() / 86400, 0.0)
    value = requesters * (1 + math.log10(1 + max(votes, 0))) * (1 + 7 / (7 + span_days))
    return round(value, 2)


def _requester_key(pk, phone, name):
    return ("phone", phone) if phone else ("name", name) if name else ("demand", pk)


def find(since: dt.date | None = None, until: dt.date | None = None, *, top: int = 10,
         queryset=None, min_size: int | None = None) -> list[Topic]:
    """The ``top`` hottest topics of the window (by default the last 30 days)."""
    since, until = hotspots.window(since, until)
    min_size = min_size or settings.HOTSPOT_MIN_SIZE
    queryset = Demand.objects.all() if queryset is None else queryset
    start, end = hotspots._bounds(since, until)
    rows = list(queryset.filter(submitted_at__gte=start, submitted_at__lt=end)
                .exclude(state__in=[State.INVALID, State.MERGED])
                .order_by("-submitted_at", "-id")
                .annotate(head=Left("content", hotspots.CONTENT_CHARS))
                .values_list("id", "number", "external_id", "title", "head", "address",
                             "submitted_at", "requester_phone", "requester_name",
                             "supports", "opposes")[:settings.HOTSPOT_MAX_DEMANDS])
    rows.reverse()
    by_id = {row[0]: row for row in rows}
    topics = _by_place(rows, by_id, min_size)
    topics = _with_points(topics, since, until, queryset, by_id)
    for topic in topics:
        topic.heat = heat(topic.requesters, topic.supports + topic.opposes, topic.first_at,
                          topic.last_at)
    topics.sort(key=lambda t: (-t.heat, -t.size, -t.last_at.timestamp()))
    for rank, topic in enumerate(topics, start=1):
        topic.rank = rank
    return topics[:top]


def _by_place(rows, by_id, min_size) -> list[Topic]:
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    if len(rows) < min_size:
        return []
    order = {kind: rank for rank, kind in enumerate(SPECIFICITY)}
    best: dict[int, tuple] = {}
    for demand_id, place_id, name, kind in Mention.objects.filter(
            demand_id__in=list(by_id)).exclude(kind__in=WIDE_KINDS).values_list(
            "demand_id", "place_id", "name", "kind"):
        rank = (order.get(kind, 99), name)
        if demand_id not in best or rank < best[demand_id][0]:
            best[demand_id] = (rank, ("p", place_id) if place_id else ("n", name), name)
    groups: dict[tuple, list[int]] = defaultdict(list)
    labels: dict[tuple, str] = {}
    place_of: dict[int, str] = {}
    for demand_id, (_rank, key, name) in best.items():
        groups[key].append(demand_id)
        labels[key] = name
        place_of[demand_id] = name
    groups = {key: ids for key, ids in groups.items() if len(ids) >= min_size}
    if not groups:
        return []
    # text vectors over the window's demands that are in some group
    members = sorted({pk for ids in groups.values() for pk in ids},
                     key=lambda pk: (by_id[pk][6], pk))
    position = {pk: index for index, pk in enumerate(members)}
    table = hotspots._Rows(ids=members,
                           texts=[(by_id[pk][3], by_id[pk][4] or "") for pk in members],
                           # the place's name is where, not what: left out of the matter
                           addresses=[f"{by_id[pk][5]} {place_of[pk]}" for pk in members])
    matrix, terms = hotspots._vectors(table)
    similarity = settings.HOTSPOT_TEXT_SIMILARITY
    topics = []
    for key, ids in groups.items():
        ids.sort(key=lambda pk: (by_id[pk][6], pk))
        index = [position[pk] for pk in ids]
        block = matrix[index]
        alike = (block @ block.T).toarray() >= similarity
        np.fill_diagonal(alike, False)
        count, component = connected_components(sparse.csr_matrix(alike), directed=False)
        for label in range(count):
            chosen = [ids[i] for i in np.flatnonzero(component == label)]
            if len(chosen) < min_size:
                continue
            keywords = hotspots._keywords(matrix, [position[pk] for pk in chosen], terms)
            topics.append(_topic("place", labels[key], keywords, chosen, by_id))
    return topics


def _topic(kind, place, keywords, ids, by_id, centre=None) -> Topic:
    demands = [TopicDemand(pk, by_id[pk][1], by_id[pk][2], by_id[pk][3], by_id[pk][4] or "",
                           by_id[pk][6], by_id[pk][9], by_id[pk][10]) for pk in ids]
    demands.sort(key=lambda d: (d.submitted_at, d.id))
    requesters = {_requester_key(pk, by_id[pk][7], by_id[pk][8]) for pk in ids}
    return Topic(kind=kind, place=place, keywords=keywords, demands=demands,
                 requesters=len(requesters), supports=sum(d.supports for d in demands),
                 opposes=sum(d.opposes for d in demands),
                 first_at=demands[0].submitted_at, last_at=demands[-1].submitted_at,
                 centre=centre)


def _with_points(topics, since, until, queryset, by_id) -> list[Topic]:
    """Point hotspots join a named-place topic they mostly share demands with; the others
    are topics of their own, placed by their members' most named place or address."""
    found = hotspots.find(since, until, top=50, queryset=queryset)
    for spot in found:
        ids = [pk for pk in spot.demand_ids if pk in by_id]
        if not ids:
            continue
        overlap = max(topics, key=lambda t: len(set(ids) & {d.id for d in t.demands}),
                      default=None)
        if overlap is not None and len(set(ids) & {d.id for d in overlap.demands}) * 2 >= \
                len(ids):
            merged = sorted({d.id for d in overlap.demands} | set(ids),
                            key=lambda pk: (by_id[pk][6], pk))
            joined = _topic("place", overlap.place, overlap.keywords, merged, by_id,
                            centre=spot.centre)
            topics[topics.index(overlap)] = joined
            continue
        topics.append(_topic("point", _place_of(ids, by_id), spot.keywords, ids, by_id,
                             centre=spot.centre))
    return topics


def _place_of(ids, by_id) -> str:
    names = defaultdict(int)
    for name in Mention.objects.filter(demand_id__in=ids).exclude(
            kind__in=WIDE_KINDS).values_list("name", flat=True):
        names[name] += 1
    if names:
        return max(names.items(), key=lambda item: (item[1], item[0]))[0]
    addresses = [by_id[pk][5] for pk in ids if by_id[pk][5]]
    return addresses[0] if addresses else "（坐标附近）"


# --- TipDM-style tables ------------------------------------------------------------------
TOPIC_HEADERS = ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述", "诉求数",
                 "诉求人数", "点赞数", "反对数", "来源"]
DETAIL_HEADERS = ["问题ID", "诉求编号", "外部编号", "标题", "诉求内容", "提交时间", "点赞数",
                  "反对数"]


def table_rows(topics: list[Topic]) -> tuple[list[list], list[list]]:
    """热点问题表 and 热点问题留言明细表: one row per topic, one per demand of each."""
    summary, detail = [], []
    for topic in topics:
        summary.append([topic.rank, topic.rank, topic.heat, topic.period, topic.place,
                        topic.matter, topic.size, topic.requesters, topic.supports,
                        topic.opposes, topic.kind_label])
        for demand in topic.demands:
            detail.append([topic.rank, demand.number, demand.external_id, demand.title,
                           demand.content, demand.submitted_at, demand.supports,
                           demand.opposes])
    return summary, detail


def write_xlsx(topics: list[Topic], fileobj) -> None:
    from django.utils import timezone
    from openpyxl import Workbook

    summary, detail = table_rows(topics)
    workbook = Workbook()
    first = workbook.active
    first.title = "热点问题表"
    first.append(TOPIC_HEADERS)
    for row in summary:
        first.append(row)
    second = workbook.create_sheet("热点问题留言明细表")
    second.append(DETAIL_HEADERS)
    for row in detail:
        row[5] = timezone.localtime(row[5]).replace(tzinfo=None)
        second.append(row)
    workbook.save(fileobj)
