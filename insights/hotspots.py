"""Hotspots: many recent demands about the same thing at the same place.

A hotspot is a group of at least ``HOTSPOT_MIN_SIZE`` demands submitted in a window where
each member is linked to another by two facts at once: their points lie within
``HOTSPOT_RADIUS_METRES`` of each other, and their texts are similar (cosine of TF-IDF
vectors over ``lib.chinese.words`` ≥ ``HOTSPOT_TEXT_SIMILARITY``). The groups are the
clusters of DBSCAN run on that joint neighbourhood (a sparse "distance" ``1 − cosine``
stored only for pairs that are near on the map), so:

* no number of clusters has to be guessed (k-means needs one, and puts every demand,
  noise included, into some cluster);
* the same topic in two districts gives two hotspots, and two topics at one corner give
  two hotspots, because a link needs both the place and the text;
* the work is bounded by the pairs of demands near each other (a ball tree on the
  sphere), never the n² pairs of the window.

Nothing is random (DBSCAN visits the rows in the query's fixed order), so the same data
gives the same hotspots. Demands without a point — or with one only inferred from a place
they name (``point_source = "place"``) — take no part here (they are counted in
``Hotspots.without_point``); ``insights.topics`` groups them by the place's name.

Hotspots are computed on request; they are a view of the demands, not state.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from demands.models import Demand, State
from lib import chinese
from lib.geo import EARTH_RADIUS_M, distance_m

# numpy, scipy and scikit-learn are imported where they are used: the console's URLconf
# loads this module in every process, and they cost a noticeable part of a second.
if TYPE_CHECKING:
    import numpy as np

DEFAULT_DAYS = 30
CONTENT_CHARS = 160  # the start of the content says what it is about; the rest costs time
IDF_PRIOR_DOCUMENTS = 200
PAIR_CHUNK = 200_000  # candidate pairs scored at once (bounds the memory)
LABEL_WORDS = 4
# A later half this many times the earlier (and at least MIN_CHANGE more) is "rising".
RISE_RATIO = 1.5
MIN_CHANGE = 2
WEEKLY_AFTER_DAYS = 62  # longer windows are bucketed by week
# Words of the hotline's own genre: they say how a demand was made, not what about.
GENRE_WORDS = frozenset(str.split("投诉 举报 诉求 咨询 来电 反馈 联系 电话 市民 群众 查处 请求"))
# jieba's tags for words of where and when: place name, direction, locative, time, numeral,
# classifier
PLACE_TIME_TAGS = frozenset({"ns", "f", "s", "t", "m", "q"})
DOMAIN_WORDS = frozenset(chinese.DOMAIN_WORDS)
# A demand is the core of a hotspot when its linked neighbours are at least this many times
# what the demands alike it would put within the radius if spread evenly over the area.
BACKGROUND_FACTOR = 2.0
# ... and, where that expectation is small, at least this many standard deviations above
# it (a Poisson count's is its square root): chance alone makes a few points in a
# thousand look twice as dense as usual when "usual" is one or two.
BACKGROUND_SIGMAS = 3.0
# A hotspot holds at least this many cores (a lone dense point is chance); a demand that
# is not dense itself joins the cluster it has at least this many linked cores in.
MIN_CORES = 3
MIN_AREA_CIRCLES = 100
BACKGROUND_SAMPLE = 2000  # texts the background density is estimated against (fixed seed)
BLOCK_ROWS = 2000


class Direction:
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"
    LABELS = {RISING: _("上升"), FALLING: _("下降"), STEADY: _("平稳")}


@dataclass(frozen=True)
class HotspotDemand:
    id: int
    number: str
    external_id: str
    title: str
    submitted_at: dt.datetime
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Trend:
    unit: str  # "day" | "week"
    starts: list[dt.date]  # first day of each bucket
    counts: list[int]
    direction: str  # Direction.RISING / FALLING / STEADY

    @property
    def direction_label(self) -> str:
        return str(Direction.LABELS[self.direction])


@dataclass
class Hotspot:
    keywords: list[str]
    size: int
    first_at: dt.datetime
    last_at: dt.datetime
    trend: Trend
    centre: tuple[float, float]  # (latitude, longitude), WGS84
    points: list[tuple[float, float]]
    demands: list[HotspotDemand]
    radius_m: float = 0.0  # farthest member from the centre

    @property
    def label(self) -> str:
        return "、".join(self.keywords)

    @property
    def demand_ids(self) -> list[int]:
        return [demand.id for demand in self.demands]


class Hotspots(list):
    """The hotspots found (a list, best first), with what was considered to find them."""

    def __init__(self, items=(), *, since, until, considered=0, in_window=0, cap=0,
                 without_point=0):
        super().__init__(items)
        self.since = since
        self.until = until
        self.considered = considered  # demands clustered (after the cap)
        self.in_window = in_window  # demands submitted in the window
        self.cap = cap
        self.without_point = without_point  # considered, but with no point to place them

    @property
    def capped(self) -> bool:
        return self.in_window > self.considered


@dataclass
class _Rows:
    ids: list = field(default_factory=list)
    numbers: list = field(default_factory=list)
    external_ids: list = field(default_factory=list)
    titles: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    times: list = field(default_factory=list)
    lats: list = field(default_factory=list)
    lons: list = field(default_factory=list)


def window(since: dt.date | None = None, until: dt.date | None = None
           ) -> tuple[dt.date, dt.date]:
    """The inclusive days to look at: by default the last 30 days, today included."""
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    return since, until


def _bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _load(queryset, start, end, cap) -> tuple[_Rows, int, int]:
    """The ``cap`` most recent demands of the window, oldest first; and how many the
    window holds. Invalid demands (无效) are not demands about anything."""
    in_window = queryset.filter(submitted_at__gte=start, submitted_at__lt=end) \
        .exclude(state=State.INVALID)
    total = in_window.count()
    recent = in_window.order_by("-submitted_at", "-id").annotate(
        head=Left("content", CONTENT_CHARS)).values_list(
        "id", "number", "external_id", "title", "head", "address", "submitted_at",
        "latitude", "longitude", "point_source")[:cap]
    rows = _Rows()
    without_point = 0
    for pk, number, external_id, title, head, address, at, lat, lon, source in \
            reversed(list(recent)):
        # a point inferred from a named place is the place's centre, not where it
        # happened: such demands gather by the place's name (insights.topics) instead
        if lat is None or lon is None or source == "place":
            without_point += 1
            continue
        rows.ids.append(pk)
        rows.numbers.append(number)
        rows.external_ids.append(external_id)
        rows.titles.append(title)
        rows.texts.append((title, head or ""))
        rows.addresses.append(address)
        rows.times.append(at)
        rows.lats.append(float(lat))
        rows.lons.append(float(lon))
    return rows, total, without_point


def _place_words(addresses) -> frozenset[str]:
    """Words of the window's addresses (road, estate and building names), less the
    urban-management words: the vocabulary of *where*, to be left out of *what*."""
    out = set()
    for address in set(addresses):
        out.update(chinese.words(address))
    return frozenset(out - DOMAIN_WORDS)


def _tokens(title: str, head: str, place_words: frozenset[str]) -> list[str]:
    """The words saying what a demand is about: the title counted twice (it names the
    matter), without the words of where and when (names in the window's addresses, and
    words jieba's dictionary tags as place names, directions, locatives, times or
    numbers). Two complaints about different things at one gate share the gate's street,
    and the place check covers that already; the same street named in two complaints
    must not make them alike."""
    words = chinese.words(title) * 2 + chinese.words(head)
    return [word for word in words
            if word not in place_words and word not in GENRE_WORDS and not word.isdigit()
            and chinese.dictionary_tag(word) not in PLACE_TIME_TAGS]


def _vectors(rows: _Rows):
    """L2-normalised TF-IDF rows (sublinear term frequency), and the terms.

    The IDF has a prior: it is computed as if the window also held ``IDF_PRIOR_DOCUMENTS``
    documents sharing no word. In a big window that changes nothing; in a small one (a
    unit's own demands, a quiet week) it stops the topic word from weighing nothing just
    because every demand offered is about it."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    place_words = _place_words(rows.addresses)
    documents = [_tokens(title, head, place_words) for title, head in rows.texts]
    vectoriser = CountVectorizer(analyzer=_identity, dtype=np.float32)
    counts = vectoriser.fit_transform(documents).tocsr()
    counts.data = 1.0 + np.log(counts.data)
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + len(documents) + IDF_PRIOR_DOCUMENTS) / (1.0 + frequency)) + 1.0
    matrix = normalize(counts @ sparse.diags(idf.astype(np.float32))).tocsr()
    return matrix, vectoriser.get_feature_names_out()


def _identity(tokens):
    return tokens


def _near_pairs(lats, lons, radius_m) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of points within ``radius_m`` of each other (great circle)."""
    import numpy as np
    from sklearn.neighbors import BallTree

    points = np.radians(np.column_stack([lats, lons]))
    tree = BallTree(points, metric="haversine")
    neighbours = tree.query_radius(points, r=radius_m / EARTH_RADIUS_M)
    counts = np.fromiter((len(n) for n in neighbours), dtype=np.int64, count=len(neighbours))
    first = np.repeat(np.arange(len(neighbours)), counts)
    second = np.concatenate(neighbours) if len(neighbours) else np.empty(0, dtype=np.int64)
    keep = first < second
    return first[keep], second[keep]


def _cosines(matrix, first, second) -> np.ndarray:
    """Cosine of each pair's (L2-normalised) rows, scored in chunks."""
    import numpy as np

    out = np.empty(len(first), dtype=np.float32)
    for start in range(0, len(first), PAIR_CHUNK):
        stop = start + PAIR_CHUNK
        products = matrix[first[start:stop]].multiply(matrix[second[start:stop]])
        out[start:stop] = np.asarray(products.sum(axis=1)).ravel()
    return out


def _alike_anywhere(matrix, similarity: float) -> np.ndarray:
    """For each demand, about how many others in the whole window have a text alike
    (cosine ≥ ``similarity``), estimated against a fixed sample of ``BACKGROUND_SAMPLE``."""
    import numpy as np

    n = matrix.shape[0]
    if n <= BACKGROUND_SAMPLE:
        sample = np.arange(n)
    else:
        sample = np.sort(np.random.RandomState(0).choice(n, BACKGROUND_SAMPLE, replace=False))
    others = matrix[sample].T.tocsc()
    matches = np.empty(n)
    for start in range(0, n, BLOCK_ROWS):
        block = matrix[start:start + BLOCK_ROWS] @ others
        matches[start:start + BLOCK_ROWS] = np.asarray(
            (block >= similarity).sum(axis=1)).ravel()
    in_sample = np.zeros(n)
    in_sample[sample] = 1  # a text is alike itself
    return (matches - in_sample) * (n - 1) / np.maximum(len(sample) - in_sample, 1)


def _required_links(matrix, rows: _Rows, *, radius_m, similarity, min_size) -> np.ndarray:
    """How many links make each demand a core: ``min_size − 1``, or more where its matter
    is common — twice (``BACKGROUND_FACTOR``), and at least three standard deviations
    above (``BACKGROUND_SIGMAS``), the number of demands alike it that an even spread
    over the area of all the points would put within the radius. Without it a busy
    month's everyday complaints (a few of each kind every few hundred metres) chain into
    city-wide "hotspots"; with it a hotspot is where a matter is several times denser
    than it is anyway."""
    import numpy as np

    lats = np.asarray(rows.lats)
    lons = np.asarray(rows.lons)
    lat_lo, lat_hi = np.percentile(lats, [2, 98])
    lon_lo, lon_hi = np.percentile(lons, [2, 98])
    height = (lat_hi - lat_lo) * math.pi / 180 * EARTH_RADIUS_M
    width = (lon_hi - lon_lo) * math.pi / 180 * EARTH_RADIUS_M * math.cos(
        math.radians(float(np.median(lats))))
    circle = math.pi * radius_m ** 2
    # A few demands, or all in one corner, are not "the usual density" of anything: the
    # area is taken as at least MIN_AREA_CIRCLES circles (≈ 79 km² at 500 m).
    share = circle / max(height * width, MIN_AREA_CIRCLES * circle)
    expected = _alike_anywhere(matrix, similarity) * share
    above = np.maximum(BACKGROUND_FACTOR * expected,
                       expected + BACKGROUND_SIGMAS * np.sqrt(expected))
    return np.maximum(min_size - 1, np.ceil(above)).astype(np.int64)


def _clusters(matrix, rows: _Rows, *, radius_m, similarity, min_size):
    """Cluster labels (−1: in no hotspot) and the core mask, by DBSCAN's rule on the
    joint place-and-text links: a core has at least its required number of links, and
    linked cores form a cluster. A demand that is not a core joins the cluster in which
    it is linked to the most cores, when they are at least ``MIN_CORES`` (DBSCAN takes
    one: where a matter is common everywhere that pulls in the whole neighbourhood's
    ordinary complaints and blows a spot of twenty up to a hundred)."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = len(rows.lats)
    first, second = _near_pairs(rows.lats, rows.lons, radius_m)
    cosine = _cosines(matrix, first, second)
    linked = cosine >= similarity
    first, second, cosine = first[linked], second[linked], cosine[linked]
    degree = np.bincount(first, minlength=n) + np.bincount(second, minlength=n)
    core = degree >= _required_links(matrix, rows, radius_m=radius_m, similarity=similarity,
                                     min_size=min_size)
    labels = np.full(n, -1, dtype=np.int64)
    both = core[first] & core[second]
    graph = sparse.coo_matrix((np.ones(both.sum()), (first[both], second[both])), shape=(n, n))
    _, components = connected_components(graph, directed=False)
    # number the components that hold a core in the order of their first core
    order = {}
    for index in np.flatnonzero(core):
        order.setdefault(components[index], len(order))
        labels[index] = order[components[index]]
    links: dict[int, Counter] = {}
    for a, b in ((first, second), (second, first)):
        pick = ~core[a] & core[b]
        for border, centre in zip(a[pick].tolist(), labels[b[pick]].tolist(), strict=True):
            links.setdefault(border, Counter())[centre] += 1
    for border, counts in links.items():
        label, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
        if count >= MIN_CORES:
            labels[border] = label
    return labels, core


def _keywords(matrix, members, terms, count=LABEL_WORDS) -> list[str]:
    import numpy as np

    weights = np.asarray(matrix[members].sum(axis=0)).ravel()
    out = []
    for index in np.argsort(-weights, kind="stable"):
        if weights[index] <= 0 or len(out) == count:
            break
        term = terms[index]
        if len(term) >= 2 and term not in chinese.STOPWORDS:
            out.append(term)
    return out


def _trend(times, since: dt.date, until: dt.date) -> Trend:
    days = (until - since).days + 1
    per_day = Counter((timezone.localtime(at).date() - since).days for at in times)
    step = 7 if days > WEEKLY_AFTER_DAYS else 1
    starts = [since + dt.timedelta(days=offset) for offset in range(0, days, step)]
    counts = [sum(per_day.get(offset + k, 0) for k in range(step))
              for offset in range(0, days, step)]
    half = days // 2
    earlier = sum(count for offset, count in per_day.items() if offset < half)
    later = sum(count for offset, count in per_day.items() if offset >= days - half)
    if later - earlier >= MIN_CHANGE and later >= RISE_RATIO * earlier:
        direction = Direction.RISING
    elif earlier - later >= MIN_CHANGE and earlier >= RISE_RATIO * later:
        direction = Direction.FALLING
    else:
        direction = Direction.STEADY
    return Trend("week" if step == 7 else "day", starts, counts, direction)


def find(since: dt.date | None = None, until: dt.date | None = None, *, top: int = 10,
         queryset=None) -> Hotspots:
    """The ``top`` hotspots among the demands submitted on the days ``since``–``until``
    (inclusive; by default the last 30 days), largest first, then the most recent.

    ``queryset`` narrows the demands (pass ``access.filter_for(user, "demand.view", …)``
    for a person). At most ``HOTSPOT_MAX_DEMANDS`` of the most recent are considered; the
    result's ``capped`` says when the window held more.
    """
    since, until = window(since, until)
    if until < since:
        raise ValueError("until is before since")
    cap = settings.HOTSPOT_MAX_DEMANDS
    min_size = settings.HOTSPOT_MIN_SIZE
    queryset = Demand.objects.all() if queryset is None else queryset
    rows, in_window, without_point = _load(queryset, *_bounds(since, until), cap)
    result = Hotspots(since=since, until=until, considered=min(in_window, cap),
                      in_window=in_window, cap=cap, without_point=without_point)
    if len(rows.ids) < min_size:
        return result
    matrix, terms = _vectors(rows)
    labels, core_mask = _clusters(matrix, rows, radius_m=settings.HOTSPOT_RADIUS_METRES,
                       similarity=settings.HOTSPOT_TEXT_SIMILARITY, min_size=min_size)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        if label >= 0:
            groups.setdefault(int(label), []).append(index)
    found = []
    cores = Counter(int(label) for label in labels[core_mask]) if len(labels) else Counter()
    for label, members in groups.items():
        if len(members) < min_size or cores[label] < min(MIN_CORES, min_size):
            continue
        points = [(rows.lats[i], rows.lons[i]) for i in members]
        centre = (sum(p[0] for p in points) / len(points),
                  sum(p[1] for p in points) / len(points))
        times = [rows.times[i] for i in members]
        demands = [HotspotDemand(rows.ids[i], rows.numbers[i], rows.external_ids[i],
                                 rows.titles[i], rows.times[i], rows.lats[i], rows.lons[i])
                   for i in sorted(members, key=lambda i: (rows.times[i], rows.ids[i]),
                                   reverse=True)]
        found.append(Hotspot(
            keywords=_keywords(matrix, members, terms), size=len(members),
            first_at=min(times), last_at=max(times), trend=_trend(times, since, until),
            centre=(round(centre[0], 6), round(centre[1], 6)), points=points,
            demands=demands, radius_m=round(max(distance_m(*centre, *p) for p in points))))
    found.sort(key=lambda h: (-h.size, -h.last_at.timestamp(), h.demands[-1].id))
    result.extend(found[:top])
    return result
