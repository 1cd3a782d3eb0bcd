"""What the benchmark scripts share: Django set up against the bench database, a
percentile, and psql."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL",
                                    "postgres://postgres@127.0.0.1:5432/sanmanyi_bench")


def setup_django(database_url: str = BENCH_DATABASE_URL) -> None:
    """Production-like settings against ``database_url`` (no demo demands, quiet logs)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanmanyi.settings")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
    os.environ.setdefault("DEMO_DEMANDS", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def percentile(values, p: float):
    """The nearest-rank percentile (p in 0–100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


def psql(database_url: str, sql: str, database: str | None = None) -> str:
    """Run one statement with psql against ``database_url`` (or another database on the
    same server) and return its unaligned output."""
    if database is not None:
        database_url = f"{database_url.rsplit('/', 1)[0]}/{database}"
    return subprocess.run(["psql", database_url, "-tAc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()
