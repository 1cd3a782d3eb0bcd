"""Duplicate and repeat demands: is a new demand a repeat of an earlier one?

Candidates are the earlier demands, within ``DUPLICATE_WINDOW_DAYS`` before the new one,
that are neither merged nor invalid and either came from the same phone number or lie
within ``DUPLICATE_RADIUS_M`` metres of its point. Each candidate is scored by the
character-bigram Jaccard similarity of title + content (``lib.chinese``); it is flagged
when the score reaches ``DUPLICATE_PHONE_MIN_SIMILARITY`` (same phone) or
``DUPLICATE_MIN_SIMILARITY`` (place only), both in percent. The best three become
``DuplicateFlag`` rows for the dispatcher to merge or dismiss, and the demand is marked as
a repeat (``demands.actions.mark_repeat``), which the repeat-demand rate counts.

The queries are the whole cost: the phone lookup uses the ``demand_repeat`` index (phone
first), the place lookup the partial ``demand_place`` index on (latitude, longitude)
through a bounding box, the exact distance being checked here. ``check_many`` asks for
all phones of a batch in one query and for places by groups of demands, so a file import
costs a few queries per hundred demands. See docs/duplicates.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from demands.actions import triage
from demands.models import Demand, State
from lib.chinese import jaccard, shingles
from lib.geo import EARTH_RADIUS_M, distance_m

from .models import DuplicateFlag, FlagState

KEEP = 3  # originals kept per demand
INLINE_LIMIT = 20  # larger lists (batches, imports) are checked by a worker
LATERAL_CHUNK = 200  # demands per place query on PostgreSQL
CHUNK = 500  # demands per check_many round in the worker
IGNORED_STATES = (State.MERGED, State.INVALID)
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
# The grid of the ``demand_place_cell_time`` index (insights/0003, PostgreSQL): PLACES_SQL
# must use the same expressions, ``floor(latitude * 300)``, or the planner cannot use it.
CELLS_PER_DEGREE = 300
MAX_CELLS = 400  # a larger box (a radius of kilometres) reads the plain index instead
# Every box of a batch in one statement: a nested loop, one scan of the cell index per
# box (the same boxes OR-ed in one WHERE are rechecked against every row and cost more
# than one query per box).
PLACES_SQL = """
SELECT box.key, d.id, d.submitted_at, d.requester_phone, d.latitude, d.longitude, d.title,
       d.content
FROM jsonb_to_recordset(%s::jsonb) AS box(key bigint, cell_rows numeric[],
                                          cell_cols numeric[], south numeric, north numeric,
                                          west numeric, east numeric, since timestamptz,
                                          until timestamptz)
CROSS JOIN LATERAL (
    SELECT * FROM demands_demand d
    WHERE floor(d.latitude * 300) = ANY (box.cell_rows)
      AND floor(d.longitude * 300) = ANY (box.cell_cols)
      AND d.submitted_at >= box.since AND d.submitted_at <= box.until
      AND d.latitude >= box.south AND d.latitude <= box.north
      AND d.longitude >= box.west AND d.longitude <= box.east
      AND d.latitude IS NOT NULL AND d.longitude IS NOT NULL
      AND d.state NOT IN ('merged', 'invalid')
) d
"""
FIELDS = ("id", "submitted_at", "requester_phone", "latitude", "longitude", "title",
          "content")


@dataclass(frozen=True)
class Rules:
    window: dt.timedelta
    radius_m: float
    min_similarity: float  # place only, 0–1
    phone_min_similarity: float  # same phone, 0–1

    @classmethod
    def current(cls) -> Rules:
        return cls(dt.timedelta(days=settings.DUPLICATE_WINDOW_DAYS),
                   float(settings.DUPLICATE_RADIUS_M),
                   settings.DUPLICATE_MIN_SIMILARITY / 100,
                   settings.DUPLICATE_PHONE_MIN_SIMILARITY / 100)


@dataclass(frozen=True)
class Match:
    """One likely original of a demand."""

    original_id: int
    score: float
    reasons: tuple[str, ...]  # "phone", "place"
    submitted_at: dt.datetime


@dataclass
class _Row:
    """What is needed of a demand, new or candidate (no model instance per candidate)."""

    id: int
    submitted_at: dt.datetime
    phone: str
    lat: float | None
    lon: float | None
    title: str
    content: str
    _shingles: frozenset | None = None

    @classmethod
    def of(cls, values) -> _Row:
        pk, submitted_at, phone, lat, lon, title, content = values
        return cls(pk, submitted_at, phone or "", None if lat is None else float(lat),
                   None if lon is None else float(lon), title, content)

    @classmethod
    def of_demand(cls, demand: Demand) -> _Row:
        return cls.of([getattr(demand, "pk" if name == "id" else name) for name in FIELDS])

    @property
    def shingles(self) -> frozenset:
        if self._shingles is None:
            self._shingles = shingles(f"{self.title}\n{self.content}")
        return self._shingles

    @property
    def placed(self) -> bool:
        return self.lat is not None and self.lon is not None

    def is_before(self, other: _Row) -> bool:
        # demands of one batch share their time: the earlier id is the earlier demand
        return (self.submitted_at, self.id) < (other.submitted_at, other.id)


def distance_between(a: Demand, b: Demand) -> float | None:
    """Metres between two demands' points, or None when one has no point."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    return distance_m(float(a.latitude), float(a.longitude), float(b.latitude),
                      float(b.longitude))


def _degrees(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


@dataclass(frozen=True)
class _Box:
    """The lat/lon rectangle around a point that holds the circle (a little more)."""

    south: Decimal
    north: Decimal
    west: Decimal
    east: Decimal

    @classmethod
    def around(cls, row: _Row, radius_m: float) -> _Box:
        dlat = radius_m / METRES_PER_DEGREE * 1.001
        dlon = dlat / max(math.cos(math.radians(row.lat)), 0.01)
        return cls(_degrees(row.lat - dlat), _degrees(row.lat + dlat),
                   _degrees(row.lon - dlon), _degrees(row.lon + dlon))

    @property
    def q(self) -> Q:
        return Q(latitude__gte=self.south, latitude__lte=self.north,
                 longitude__gte=self.west, longitude__lte=self.east)

    @property
    def cells(self) -> tuple[list[int], list[int]]:
        """The grid rows and columns the rectangle touches."""
        return (list(range(math.floor(self.south * CELLS_PER_DEGREE),
                           math.floor(self.north * CELLS_PER_DEGREE) + 1)),
                list(range(math.floor(self.west * CELLS_PER_DEGREE),
                           math.floor(self.east * CELLS_PER_DEGREE) + 1)))


def _window(row: _Row, rules: Rules) -> Q:
    return Q(submitted_at__gte=row.submitted_at - rules.window,
             submitted_at__lte=row.submitted_at)


def _candidates():
    return Demand.objects.exclude(state__in=IGNORED_STATES).order_by().values_list(*FIELDS)


def _score(row: _Row, candidates: dict[int, tuple[_Row, set[str]]], rules: Rules) -> list[Match]:
    matches = []
    for candidate, reasons in candidates.values():
        score = jaccard(row.shingles, candidate.shingles)
        needed = rules.phone_min_similarity if "phone" in reasons else rules.min_similarity
        if score >= needed:
            matches.append(Match(candidate.id, round(score, 4),
                                 tuple(r for r in ("phone", "place") if r in reasons),
                                 candidate.submitted_at))
    # the most similar first; on a tie the one with more evidence, then the older one
    matches.sort(key=lambda m: (-m.score, -len(m.reasons), m.submitted_at, m.original_id))
    return matches[:KEEP]


def _in_window(candidate: _Row, row: _Row, rules: Rules) -> bool:
    return candidate.is_before(row) and candidate.submitted_at >= row.submitted_at - rules.window


def _near(candidate: _Row, row: _Row, rules: Rules) -> bool:
    return candidate.placed and distance_m(row.lat, row.lon, candidate.lat,
                                           candidate.lon) <= rules.radius_m


def _near_candidates(rows: list[_Row], rules: Rules):
    """(row id, candidate values) for the candidates in each row's box and window: on
    PostgreSQL through the cell index, a few hundred boxes per statement; elsewhere (or
    for a huge radius) one query per box on ``demand_place``."""
    boxes = [(row, _Box.around(row, rules.radius_m)) for row in rows]
    lateral = []
    for row, box in boxes:
        cell_rows, cell_cols = box.cells
        if connection.vendor == "postgresql" and len(cell_rows) * len(cell_cols) <= MAX_CELLS:
            lateral.append({"key": row.id, "cell_rows": cell_rows, "cell_cols": cell_cols,
                            "south": str(box.south), "north": str(box.north),
                            "west": str(box.west), "east": str(box.east),
                            "since": (row.submitted_at - rules.window).isoformat(),
                            "until": row.submitted_at.isoformat()})
            continue
        for values in _candidates().filter(box.q & _window(row, rules)):
            yield row.id, values
    if not lateral:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # the planner's guess for a JSON record set is 100 rows, which makes JIT compile
        # the statement (tens of milliseconds) for work that takes a few
        cursor.execute("SET LOCAL jit = off")
        for first in range(0, len(lateral), LATERAL_CHUNK):
            cursor.execute(PLACES_SQL, [json.dumps(lateral[first:first + LATERAL_CHUNK])])
            rows = cursor.fetchall()
            for key, *values in rows:
                yield key, values


def find_many(demands: list[Demand], rules: Rules | None = None) -> dict[int, list[Match]]:
    """{demand id: its best matches} for demands already saved. One query for all the
    phones, one per ``LATERAL_CHUNK`` demands with a point (PostgreSQL; one per demand
    elsewhere); nothing is written."""
    rules = rules or Rules.current()
    rows = [_Row.of_demand(d) for d in demands
            if d.pk is not None and d.state not in IGNORED_STATES]
    found: dict[int, dict[int, tuple[_Row, set[str]]]] = {row.id: {} for row in rows}
    seen: dict[int, _Row] = {}  # one _Row (and one shingle set) per candidate

    def keep(row: _Row, values, reason: str):
        candidate = seen.get(values[0]) or seen.setdefault(values[0], _Row.of(values))
        entry = found[row.id].setdefault(candidate.id, (candidate, set()))
        entry[1].add(reason)

    phoned = [row for row in rows if row.phone]
    if phoned:
        by_phone = defaultdict(list)
        for row in phoned:
            by_phone[row.phone].append(row)
        start = min(row.submitted_at for row in phoned) - rules.window
        end = max(row.submitted_at for row in phoned)
        for values in _candidates().filter(requester_phone__in=list(by_phone),
                                           submitted_at__gte=start, submitted_at__lte=end):
            candidate = _Row.of(values)
            for row in by_phone[candidate.phone]:
                if _in_window(candidate, row, rules):
                    keep(row, values, "phone")
    by_id = {row.id: row for row in rows}
    for row_id, values in _near_candidates([row for row in rows if row.placed], rules):
        row = by_id[row_id]
        candidate = seen.get(values[0]) or _Row.of(values)
        if _in_window(candidate, row, rules) and _near(candidate, row, rules):
            keep(row, values, "place")
    return {row.id: _score(row, found[row.id], rules) for row in rows}


def find(demand: Demand, rules: Rules | None = None) -> list[Match]:
    """The best (at most three) likely originals of one saved demand."""
    return find_many([demand], rules).get(demand.pk, [])


@transaction.atomic
def check_many(demands: list[Demand], rules: Rules | None = None,
               at=None) -> dict[int, list[DuplicateFlag]]:
    """Find the likely originals of these saved demands, keep them as open
    ``DuplicateFlag`` rows and mark the flagged demands as repeats. Idempotent: a pair
    already flagged (in any state) is left as it was. Returns {demand id: its new or
    existing flags for the matches found now}."""
    at = at or timezone.now()
    matches = find_many(demands, rules)
    flags = [DuplicateFlag(demand_id=demand_id, original_id=m.original_id, score=m.score,
                           reasons=list(m.reasons), state=FlagState.OPEN, created_at=at)
             for demand_id, found in matches.items() for m in found]
    result: dict[int, list[DuplicateFlag]] = {demand_id: [] for demand_id in matches}
    if not flags:
        return result
    DuplicateFlag.objects.bulk_create(flags, ignore_conflicts=True)
    wanted = {(f.demand_id, f.original_id) for f in flags}
    for flag in DuplicateFlag.objects.filter(demand_id__in=list(result)).order_by("-score"):
        if (flag.demand_id, flag.original_id) in wanted:
            result[flag.demand_id].append(flag)
    flagged = [demand_id for demand_id, found in result.items()
               if any(flag.state != FlagState.DISMISSED for flag in found)]
    triage.mark_repeat(flagged)
    for demand in demands:  # keep the caller's instances truthful
        if demand.pk in flagged:
            demand.is_repeat = True
    return result


def check(demand: Demand, rules: Rules | None = None, at=None) -> list[DuplicateFlag]:
    """``check_many`` for one demand: its flags for the originals found now."""
    return check_many([demand], rules, at).get(demand.pk, [])


def check_ids(ids: list[int]) -> int:
    """The worker's entry: check these demands in chunks; returns how many were flagged."""
    flagged = 0
    ids = sorted(set(ids))
    for first in range(0, len(ids), CHUNK):
        demands = list(Demand.objects.filter(pk__in=ids[first:first + CHUNK]).order_by("pk"))
        flagged += sum(1 for found in check_many(demands).values() if found)
    return flagged
