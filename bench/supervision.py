"""Issue #13's benchmarks at a million demands (docs/benchmarks.md):

* the first build of the KPI roll-ups, and a refresh after a burst of changes to old demands;
* the satisfaction dashboard of every scope — bureau (leader), unit head, handler — with the
  cache off (``KPI_CACHE_SECONDS=0``: every page computed), p50/p95 over the four
  groupings and three months;
* the leaders' command dashboard, the assessment of a month for all units and a bulletin,
  where those exist.

    .venv/bin/python bench/supervision.py      # after `make bench` generated sanmanyi_bench

Not a test: nothing here passes or fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import run  # the service-loop benchmark: its database, client and timer

ROOT = run.ROOT
ENV = {**run.ENV, "KPI_CACHE_SECONDS": "0"}  # cold: nothing cached, every page computed
USERS = (("局领导（全局）", "leader"), ("单位负责人（环卫处）", "head_huanwei"),
         ("承办人（市政处）", "handler_shizheng"))


def shell(code: str) -> str:
    result = subprocess.run([run.PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=ENV,
                            check=True, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def rollups() -> list[str]:
    lines = []
    shell("from demands.models import DailyFigure, RollupState, RollupDirty; "
          "DailyFigure.objects.all().delete(); RollupState.objects.all().delete(); "
          "RollupDirty.objects.all().delete()")
    t = time.monotonic()
    out = shell("from demands import rollups; print(rollups.refresh())")
    lines.append(f"- first build of the roll-ups (every closed day): **{time.monotonic() - t:.1f} s** "
                 f"— {out}")
    rows = shell("from demands.models import DailyFigure; print(DailyFigure.objects.count())")
    lines.append(f"- rows in `DailyFigure`: {int(rows):,}")
    # a burst: 2,000 demands of the last 30 days change (a counted field: visited), as a
    # day of return visits does, then the job runs
    t = time.monotonic()
    shell("import datetime as dt\nfrom django.utils import timezone\n"
          "from demands.models import Demand\n"
          "ids = list(Demand.objects.filter(first_replied_at__isnull=False, "
          "first_replied_at__gte=timezone.now() - dt.timedelta(days=30))"
          ".order_by('?').values_list('pk', flat=True)[:2000])\n"
          "for pk in ids:\n    d = Demand.objects.get(pk=pk); d.visited_at = d.first_replied_at; d.save()")
    burst = time.monotonic() - t
    t = time.monotonic()
    out = shell("from demands import rollups; print(rollups.refresh())")
    lines.append(f"- 2,000 saves of demands of the last 30 days ({burst:.1f} s, marks "
                 f"included), then the "
                 f"job: **{time.monotonic() - t:.1f} s** — {out}")
    return lines


ASSESS = """
import datetime as dt, time
from django.contrib.auth import get_user_model
from assessment import actions
from assessment.models import Assessment, AssessmentState, Scheme
office = get_user_model().objects.get(username="office")
scheme = Scheme.objects.order_by("id").first()
start, end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
found = Assessment.objects.filter(scheme=scheme, starts_on=start, ends_on=end).first()
found = found or actions.create_assessment(office, scheme, start, end, title="基准测试")
times = []
for _ in range(3):
    t = time.monotonic(); actions.compute(office, found); times.append(time.monotonic() - t)
print(f"{min(times):.2f} {max(times):.2f} {scheme.units.count()} {scheme.indicators.count()}")
"""
BULLETIN = """
import datetime as dt, time
from django.contrib.auth import get_user_model
from bulletins import actions, generation
from bulletins.models import Bulletin
office = get_user_model().objects.get(username="office")
times = []
for _ in range(3):
    b = actions.create(office, "monthly", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    t = time.monotonic(); result = generation.run(b.pk); times.append(time.monotonic() - t)
    assert result == "done", Bulletin.objects.get(pk=b.pk).__dict__
print(f"{min(times):.2f} {max(times):.2f} {Bulletin.objects.get(pk=b.pk).generated_file.size}")
"""


def office_work() -> list[str]:
    """A month's assessment of every unit of the demo's scheme, and a monthly bulletin."""
    fastest, slowest, units, indicators = shell(ASSESS).split()
    lines = [f"- assessment of October 2026, every unit of the demo scheme ({units} units, "
             f"{indicators} indicators), computed 3 times: **{fastest}–{slowest} s**"]
    fastest, slowest, size = shell(BULLETIN).split()
    lines.append(f"- monthly bulletin of October 2026 (.docx, {int(size):,} bytes), generated "
                 f"3 times: **{fastest}–{slowest} s**")
    return lines


def dashboards() -> list[tuple[str, dict]]:
    results = []
    months = ("", "&month=2026-11", "&month=2026-06")
    for label, username in USERS:
        client = run.Client()
        client.login(username)
        paths = [f"/console/dashboard/?by={by}{month}" for month in months
                 for by in ("unit", "category", "channel", "requester_kind")] * 4
        # warm-up: each of the gunicorn workers loads its code and templates once (the
        # figures themselves are never cached: KPI_CACHE_SECONDS=0)
        results.append((f"满意度看板 · {label}", run.timed(client, paths, warmup=8)))
        results.append((f"指挥大屏 · {label}",
                        run.timed(client, ["/console/command/"] * 40, warmup=8)))
    return results


def main() -> None:
    run.prepare()
    run.manage("collectstatic", "--noinput", "-v0")
    lines = [] if os.environ.get("BENCH_SKIP_ROLLUPS") else rollups()
    lines += office_work()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "sanmanyi.wsgi", "-b",
         f"127.0.0.1:{run.PORT}", "--workers", run.WORKERS, "--log-level", "warning"],
        cwd=ROOT, env=ENV, start_new_session=True)
    try:
        for _ in range(100):
            try:
                run.Client().request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        results = dashboards()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    total = int(run.psql("SELECT COUNT(*) FROM demands_demand", run.DB_URL.rsplit("/", 1)[1]))
    print(f"\ndemands: {total:,}; gunicorn --workers {run.WORKERS}; KPI_CACHE_SECONDS=0; "
          f"PostgreSQL {run.psql('SHOW server_version')}; {os.cpu_count()} cores\n")
    print("\n".join(lines))
    print("\n| page | requests | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for label, r in results:
        print(f"| {label} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
