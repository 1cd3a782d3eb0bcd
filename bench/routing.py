"""Routing benchmark: train on the bench database's dispatch history, then measure how
fast suggestions come.

    .venv/bin/python bench/routing.py
    BENCH_ROUTING_SAMPLES=20000 .venv/bin/python bench/routing.py   # a quicker training
    BENCH_ROUTING_SAMPLES=0 .venv/bin/python bench/routing.py       # no training: time
                                                                    # the stored versions

Needs the PostgreSQL bench database (BENCH_DATABASE_URL, default sanmanyi_bench, filled by
``make bench`` / bench/generate.py). Steps, each timed:

1. train both models (责任单位, 类别) with ``insights.routing.train`` on the newest
   BENCH_ROUTING_SAMPLES demands (default 50,000: five-fold cross-validation plus the
   final fit finish in a few minutes on two cores; the nightly job takes up to
   ROUTING_MAX_SAMPLES = 200,000). Each run stores a new version, as the nightly job does.
2. batch throughput of ``suggest_many`` (batches of 500) on 10,000 texts, twice: demands
   of the bench database not used in training (their generated texts are short), and
   10,000 hotline-length texts (~70 characters) made from the demo vocabulary.
3. single-text latency of ``suggest`` (one text, including its two small queries) over
   1,000 calls: p50 and p95.

Prints a Markdown table for docs/benchmarks.md. Not a test: nothing here passes or fails.
Other work on the machine makes the figures pessimistic.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sanmanyi_bench")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp())
os.environ.setdefault("DEMO_DEMANDS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanmanyi.settings")

import django  # noqa: E402

django.setup()

from demands.demo import DETAILS, PLACES, ROADS  # noqa: E402
from demands.models import Demand, State  # noqa: E402
from insights import routing  # noqa: E402
from insights.models import RoutingModel, RoutingTarget  # noqa: E402
from lib import chinese  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_ROUTING_SAMPLES", "50000"))
TEXTS = 10_000
BATCH = 500
SINGLE = 1_000


def hotline_texts(n: int, seed: int = 11) -> list[str]:
    """Hotline-length texts (~70 characters) in the demo city's words."""
    rng = random.Random(seed)
    names = list(DETAILS)
    out = []
    for _ in range(n):
        name = rng.choice(names)
        place = f"{rng.choice(ROADS)}{rng.choice(PLACES)}"
        out.append(f"{place}{name} 市民来电反映，{place}：{DETAILS[name]}"
                   f"另外{DETAILS[rng.choice(names)]}")
    return out


def held_out(n: int) -> tuple[list[str], list[int]]:
    """The oldest accepted demands: training takes the newest, so these were not seen."""
    rows = (Demand.objects.filter(accepted_at__isnull=False)
            .exclude(state__in=(State.MERGED, State.INVALID))
            .order_by("submitted_at", "id").values_list("title", "content", "current_unit_id")[:n])
    return [routing.demand_text(t, c) for t, c, _ in rows], [u for _, _, u in rows]


def throughput(texts: list[str], target: str) -> tuple[float, float]:
    """Texts per second of wall-clock time, and per second of this process's CPU time
    (what one core gives when the machine is not shared)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), BATCH):
        routing.suggest_many(texts[start:start + BATCH], target)
    return (len(texts) / (time.perf_counter() - wall),
            len(texts) / (time.process_time() - cpu))


def main() -> None:
    total = Demand.objects.count()
    print(f"bench database: {total:,} demands; training on the newest {SAMPLES:,}")
    models = {}
    for target in RoutingTarget.values:
        model = routing.train(target, limit=SAMPLES) if SAMPLES else routing.current(target)
        if model is None:
            sys.exit(f"no usable {target} model stored: run with BENCH_ROUTING_SAMPLES > 0")
        size = len(RoutingModel.objects.filter(pk=model.pk).values_list("blob", flat=True)[0]
                   or b"")
        models[target] = (model, size)
        print(f"  {target}: v{model.version} usable={model.usable} samples={model.samples:,} "
              f"classes={model.classes} accuracy={model.accuracy} macro-F1={model.macro_f1} "
              f"{model.seconds:.0f}s, stored {size / 1e6:.1f} MB", flush=True)

    unit = RoutingTarget.UNIT
    routing.forget()
    chinese.words("预热")  # jieba's dictionary, loaded once per process (~1 s), not timed
    started = time.perf_counter()
    routing.suggest("预热", unit)  # loads the stored model once per process
    load = time.perf_counter() - started
    routing.suggest("预热", RoutingTarget.CATEGORY)

    bench_texts, bench_labels = held_out(TEXTS)
    long_texts = hotline_texts(TEXTS)
    rate_bench = throughput(bench_texts, unit)
    rate_long = throughput(long_texts, unit)
    rate_category = throughput(long_texts, RoutingTarget.CATEGORY)
    picks = routing.suggest_many(bench_texts, unit, k=1)
    agree = sum(1 for p, label in zip(picks, bench_labels, strict=True)
                if p and p[0][0].pk == label) / max(len(bench_labels), 1)

    latencies = []
    for text in long_texts[:SINGLE]:
        started = time.perf_counter()
        routing.suggest(text, unit)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]

    unit_model, unit_size = models[unit]
    category_model, category_size = models[RoutingTarget.CATEGORY]
    length = sum(map(len, long_texts)) / len(long_texts)
    short = sum(map(len, bench_texts)) / max(len(bench_texts), 1)
    print()
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| routing | figure |")
    print("|---|---|")
    print(f"| history in the database | {total:,} demands |")
    for label, (model, size) in (("unit", (unit_model, unit_size)),
                                 ("category", (category_model, category_size))):
        if model.usable:
            print(f"| train {label} model (newest {model.samples:,}, {model.classes} classes, "
                  f"5-fold CV + final fit) | {model.seconds:.0f} s, stored {size / 1e6:.1f} MB |")
            print(f"| {label} model, cross-validated accuracy / macro-F1 | "
                  f"{model.accuracy:.3f} / {model.macro_f1:.3f} |")
        else:
            print(f"| {label} model | not usable: {model.message} |")
    print(f"| load the stored unit model (once per process) | {load * 1000:.0f} ms |")
    print(f"| unit suggestions, batches of {BATCH}, {TEXTS:,} held-out bench texts "
          f"(~{short:.0f} chars), wall / per CPU-second | {rate_bench[0]:,.0f} / "
          f"{rate_bench[1]:,.0f} texts/s |")
    print(f"| unit suggestions, batches of {BATCH}, {TEXTS:,} hotline-length texts "
          f"(~{length:.0f} chars), wall / per CPU-second | {rate_long[0]:,.0f} / "
          f"{rate_long[1]:,.0f} texts/s |")
    print(f"| category suggestions, same hotline-length texts, wall / per CPU-second | "
          f"{rate_category[0]:,.0f} / {rate_category[1]:,.0f} texts/s |")
    print(f"| one text, `suggest` (p50 / p95 over {SINGLE:,}) | {p50:.1f} ms / {p95:.1f} ms |")
    print(f"| held-out top-1 agreement with the accepting unit | {agree:.3f} |")


if __name__ == "__main__":
    main()
