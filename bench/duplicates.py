"""Duplicate check at 1,000,000 demands: how long ``insights.duplicates.check`` takes.

    .venv/bin/python bench/duplicates.py            # 1,000 demands one by one, then a batch
    BENCH_SAMPLES=3000 BENCH_BATCH=2000 .venv/bin/python bench/duplicates.py

Needs the bench database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/sanmanyi_bench, filled by bench/generate.py and
migrated). Everything happens inside one transaction that is rolled back: the database is
left as it was.

What is measured. New demands arrive "now" and are checked against everything there. The
generated demands are spread evenly over a 0.1° × 0.1° box (about 9 × 11 km) and three
years, weighted towards the recent months, each with its own phone number and a
templated text; so every new demand has about 150 earlier demands of the last 30 days
within 300 m, all of them scored. The new demands are of two kinds:

* repeats (``BENCH_REPEATS``, default 30 %): a recent demand's phone and text again, a
  few dozen metres away — the case the check is for;
* fresh ones: a new phone, a random point in the box, a text from the demo city's
  complaints (which shares little with the templated texts) — the common case.

Timed per demand: the whole ``check()`` (phone query, place query, scoring, writing the
flags and the repeat mark). Then ``check_many`` over a batch, per demand. The machine is
shared with other work, so the figures are pessimistic.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import time

from common import percentile, setup_django

setup_django()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from demands.demo import DETAILS, PLACES, ROADS  # noqa: E402
from demands.models import Demand, State  # noqa: E402
from insights import duplicates  # noqa: E402
from lib.chinese import words  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "1000"))
BATCH = int(os.environ.get("BENCH_BATCH", "2000"))
REPEATS = float(os.environ.get("BENCH_REPEATS", "0.3"))
SEED = int(os.environ.get("BENCH_SEED", "5"))


class Rollback(Exception):
    pass



def new_demands(rng, count, recent, categories, intake_unit, first):
    """``count`` unsaved demands arriving now: repeats of ``recent`` rows and fresh ones."""
    now = timezone.now()
    out = []
    for i in range(count):
        number = f"BENCH-{first + i:09d}"
        if rng.random() < REPEATS:
            _pk, phone, lat, lon, title, content, category_id = rng.choice(recent)
            metres = rng.uniform(0, 80)
            angle = rng.uniform(0, 2 * math.pi)
            lat = float(lat) + metres * math.sin(angle) / 111_195
            lon = float(lon) + metres * math.cos(angle) / (111_195 * math.cos(math.radians(lat)))
        else:
            category_id, name = rng.choice(categories)
            phone = f"138{rng.randrange(10**8):08d}"
            lat, lon = 33.9 + rng.random() / 10, 118.2 + rng.random() / 10
            where = rng.choice(ROADS) + rng.choice(PLACES)
            title = f"{where}{name}"
            content = f"{where}{DETAILS.get(name, '希望尽快处理。')}"
        out.append(Demand(number=number, requester_kind="citizen", requester_phone=phone,
                          channel="12345", category_id=category_id, title=title,
                          content=content, latitude=round(lat, 6), longitude=round(lon, 6),
                          state=State.SUBMITTED, current_unit_id=intake_unit,
                          submitted_at=now))
    return out


def main():
    if connection.vendor != "postgresql":
        raise SystemExit("bench/duplicates.py needs the PostgreSQL bench database")
    rng = random.Random(SEED)
    total = Demand.objects.count()
    newest = Demand.objects.order_by("-submitted_at").values_list("submitted_at", flat=True)[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, requester_phone, latitude, longitude, title, content, category_id "
            "FROM demands_demand WHERE submitted_at > %s AND latitude IS NOT NULL "
            "AND state NOT IN ('merged', 'invalid') ORDER BY random() LIMIT %s",
            [newest - duplicates.Rules.current().window / 2, SAMPLES + BATCH])
        recent = cursor.fetchall()
    from catalog.models import Category
    from org.models import Unit

    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", "name"))
    intake_unit = Unit.objects.get(code="digital").pk
    words("预热分词")  # jieba's dictionary loads once per process, not per check
    single, batch_seconds, flagged_single, flagged_batch = [], 0.0, 0, 0
    try:
        with transaction.atomic():
            # the newest demand in the bench is "now" for the new ones
            shift = timezone.now() - newest
            if shift.total_seconds() > 3600:
                print(f"note: the bench's newest demand is {shift} old; new demands are "
                      "checked against a window that is partly empty", file=sys.stderr)
            fresh = new_demands(rng, SAMPLES, recent, categories, intake_unit, 0)
            Demand.objects.bulk_create(fresh)
            duplicates.check(fresh[0])  # warm the connection and the plan cache
            for demand in fresh[1:]:
                started = time.perf_counter()
                flags = duplicates.check(demand)
                single.append((time.perf_counter() - started) * 1000)
                flagged_single += bool(flags)
            batch = new_demands(rng, BATCH, recent, categories, intake_unit, SAMPLES)
            Demand.objects.bulk_create(batch)
            started = time.perf_counter()
            result = duplicates.check_many(batch)
            batch_seconds = time.perf_counter() - started
            flagged_batch = sum(1 for flags in result.values() if flags)
            raise Rollback
    except Rollback:
        pass
    n = len(single)
    print(f"\nDuplicate check against {total:,} demands (window "
          f"{duplicates.Rules.current().window.days} days, radius "
          f"{duplicates.Rules.current().radius_m:.0f} m; {REPEATS:.0%} planted repeats)\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| `check()` one demand, p50 | {statistics.median(single):.1f} ms |")
    print(f"| `check()` one demand, p95 | {percentile(single, 95):.1f} ms |")
    print(f"| `check()` one demand, p99 | {percentile(single, 99):.1f} ms |")
    print(f"| `check()` demands timed | {n:,} |")
    print(f"| flagged (one by one) | {flagged_single / n:.1%} |")
    print(f"| `check_many()` batch of {BATCH:,}, per demand | "
          f"{batch_seconds / BATCH * 1000:.2f} ms ({batch_seconds:.1f} s in all) |")
    print(f"| flagged (batch) | {flagged_batch / BATCH:.1%} |")


if __name__ == "__main__":
    main()
