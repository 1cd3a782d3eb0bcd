"""Hotspots at 1,000,000 demands: how long ``insights.hotspots.find`` takes for a month.

    .venv/bin/python bench/hotspots.py
    BENCH_CAPS=5000,20000,50000 BENCH_RUNS=2 .venv/bin/python bench/hotspots.py

Needs the bench database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/sanmanyi_bench, filled by bench/generate.py and
migrated). Nothing is left changed: the second scenario rewrites texts inside one
transaction that is rolled back.

What is measured: ``find()`` over the last 30 days (about 50,000 demands there, so the
``HOTSPOT_MAX_DEMANDS`` cap decides how many are clustered), for each cap in
``BENCH_CAPS``, split into loading (the query), text vectors (jieba + TF-IDF) and
clustering (ball tree, pair scoring, DBSCAN). Two kinds of text:

* as generated: "<category>（基准测试 N）" and one fixed sentence, so every pair of
  demands within 500 m is textually alike — the worst case for the pair scoring and for
  DBSCAN, which ends in a few city-wide clusters (the figures are for time, not quality);
* demo-like: each demand in the window gets a road, a place and a complaint from the demo
  city (demands/demo.py) in its text and the road in its address, as a hotline would
  record them; then ``BENCH_PLANTED`` hotspots are planted among the most recent
  demands (``BENCH_PLANTED_SIZE`` demands each about one matter, within ~200 m of a random
  point) and the table says how many were found (a hotspot holding ≥ 80 % of the planted
  demands) and what share of the found hotspots' demands were planted ones.

The generated points are spread evenly over a 0.1° × 0.1° box (about 9 × 11 km): about
150 demands of a month within 500 m of each. The machine is shared with other work, so
the figures are pessimistic.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanmanyi.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sanmanyi_bench")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
os.environ.setdefault("DEMO_DEMANDS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from demands.demo import DETAILS, PLACES, ROADS  # noqa: E402
from demands.models import Demand  # noqa: E402
from insights import hotspots  # noqa: E402

CAPS = [int(c) for c in os.environ.get("BENCH_CAPS", "5000,20000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "2"))
SEED = int(os.environ.get("BENCH_SEED", "11"))
PLANTED = int(os.environ.get("BENCH_PLANTED", "5"))
PLANTED_SIZE = int(os.environ.get("BENCH_PLANTED_SIZE", "20"))
planted: list[set[int]] = []

PHASES = {"_load": "load", "_vectors": "vectors", "_clusters": "clusters"}
spent: dict[str, float] = {}


def _timed(name, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[PHASES[name]] = spent.get(PHASES[name], 0.0) + time.perf_counter() - started
    return wrapper


for _name in PHASES:
    setattr(hotspots, _name, _timed(_name, getattr(hotspots, _name)))


def measure(label: str) -> list[str]:
    rows = []
    for cap in CAPS:
        settings.HOTSPOT_MAX_DEMANDS = cap
        totals, phases, found = [], [], None
        for _ in range(RUNS):
            spent.clear()
            started = time.perf_counter()
            found = hotspots.find()
            totals.append(time.perf_counter() - started)
            phases.append(dict(spent))
        best = min(range(RUNS), key=lambda i: totals[i])
        p = phases[best]
        sizes = ", ".join(str(h.size) for h in found[:3])
        quality = ""
        if planted:
            members = [set(h.demand_ids) for h in found]
            hits = sum(any(len(group & ids) >= 0.8 * len(group) for ids in members)
                       for group in planted)
            everything = set().union(*planted)
            found_ids = set().union(*members) if members else set()
            share = len(found_ids & everything) / len(found_ids) if found_ids else 0
            quality = f"; planted found {hits}/{len(planted)}, {share:.0%} of members planted"
        rows.append(f"| {label} | {found.considered:,} of {found.in_window:,} | "
                    f"{statistics.median(totals):.1f} s | {p['load']:.1f} s | "
                    f"{p['vectors']:.1f} s | {p['clusters']:.1f} s | "
                    f"{found.considered / statistics.median(totals):,.0f} /s | "
                    f"{len(found)} (top sizes {sizes or '—'}{quality}) |")
        print(rows[-1], flush=True)
    return rows


def demo_texts() -> None:
    """Give every demand of the window a demo-city text (inside the caller's transaction)."""
    rng = random.Random(SEED)
    since, until = hotspots.window()
    start, end = hotspots._bounds(since, until)
    details = list(DETAILS.items())
    ids = list(Demand.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
               .order_by("-submitted_at", "-id").values_list("id", flat=True))
    # the planted hotspots: among the 5,000 most recent, so that every cap sees them
    chosen = rng.sample(ids[:5000], PLANTED * PLANTED_SIZE)
    topics = rng.sample(details, PLANTED)
    plants = {}
    for number in range(PLANTED):
        lat, lon = 33.9 + rng.uniform(0.01, 0.09), 118.2 + rng.uniform(0.01, 0.09)
        group = chosen[number * PLANTED_SIZE:(number + 1) * PLANTED_SIZE]
        planted.append(set(group))
        for pk in group:
            plants[pk] = (topics[number], lat + rng.uniform(-0.0018, 0.0018),
                          lon + rng.uniform(-0.0022, 0.0022))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_texts (id bigint, title text, content text, "
                       "address text, lat numeric, lon numeric) ON COMMIT DROP")
        with cursor.connection.cursor() as raw, raw.copy(
                "COPY bench_texts (id, title, content, address, lat, lon) FROM STDIN") as copy:
            for pk in ids:
                (name, detail), lat, lon = plants.get(pk, (rng.choice(details), None, None))
                road, place = rng.choice(ROADS), rng.choice(PLACES)
                extra = rng.choice(["", "好几天了。", "多次反映没有解决。", "影响很大。"])
                copy.write_row((pk, f"{road}{place}{name}",
                                f"{road}{place}，{detail}{extra}希望尽快处理。",
                                f"宿迁市宿城区{road}{rng.randint(1, 300)}号", lat, lon))
        cursor.execute("UPDATE demands_demand d SET title = t.title, content = t.content, "
                       "address = t.address, latitude = COALESCE(t.lat, d.latitude), "
                       "longitude = COALESCE(t.lon, d.longitude) "
                       "FROM bench_texts t WHERE d.id = t.id")


def main() -> None:
    total = Demand.objects.count()
    print(f"{total:,} demands; caps {CAPS}; {RUNS} runs each (median shown; phases of the "
          "fastest run)\n")
    print("| texts | clustered | find() | load | vectors | clusters | demands/s | hotspots |")
    print("|---|---|---|---|---|---|---|---|")
    measure("as generated")
    with transaction.atomic():
        demo_texts()
        measure("demo-like")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
