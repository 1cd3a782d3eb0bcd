"""The file-import benchmark: a 12345 export of N rows (default 1,000,000) imported end to
end on PostgreSQL, with the database's own bulk load (COPY) of the same rows measured in
the same run as the ceiling.

    .venv/bin/python bench/imports.py            # 1,000,000 rows
    BENCH_IMPORT_ROWS=100000 .venv/bin/python bench/imports.py

Uses a scratch database (BENCH_IMPORT_DATABASE_URL, default sanmanyi_import_bench), made
afresh each run: migrate, reference data, then ``manage.py import_demands FILE --source
12345热线 --map …`` timed by the wall clock from process start to exit (reading the file,
checking every row, numbers, deadlines, writing demands and their events, progress). The
follow-up work the import queues for workers (duplicate check, search index) is measured
by bench/duplicates.py and bench/search.py. Not a test: nothing passes or fails here.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
DB_URL = os.environ.get("BENCH_IMPORT_DATABASE_URL",
                        "postgres://postgres@127.0.0.1:5432/sanmanyi_import_bench")
ENV = {**os.environ, "DATABASE_URL": DB_URL, "DEBUG": "0", "SECURE_HTTPS": "0",
       "SECRET_KEY": "bench-only-" + "k" * 50, "DEMO_DEMANDS": "0", "LOG_LEVEL": "WARNING",
       "VAR_DIR": tempfile.mkdtemp(prefix="sanmanyi-import-bench-"),
       "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")}
ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # as deployed: modules compiled once, not per run
HEADERS = ["工单编号", "标题", "来电内容", "来电时间", "来电人", "来电号码", "问题类别", "事发地址",
           "经度", "纬度"]
MAPS = {"external_id": "工单编号", "title": "标题", "content": "来电内容",
        "received_at": "来电时间", "requester_name": "来电人", "requester_phone": "来电号码",
        "category": "问题类别", "address": "事发地址", "longitude": "经度", "latitude": "纬度"}
PROBLEMS = {
    "暴露垃圾": ["门口垃圾堆积两天无人清运", "垃圾桶满溢气味很大", "路边有人倾倒生活垃圾"],
    "占道经营": ["流动摊贩占道经营影响通行", "商铺出店经营占用人行道", "夜市摊点占道到深夜"],
    "噪声扰民": ["工地夜间施工噪音扰民", "广场舞音响声音过大", "商铺高音喇叭招揽顾客"],
    "违法建设": ["楼顶私搭乱建", "小区绿地被圈占搭棚", "沿街违章搭建雨棚"],
}
STREETS = ["幸福路", "人民路", "黄河路", "洪泽湖路", "西湖路", "发展大道", "宿支路", "青海湖路"]
NAMES = ["王女士", "李先生", "张先生", "刘女士", "陈先生", "杨女士", "赵先生", "周女士"]


def psql(sql: str, database: str = "postgres") -> str:
    return common.psql(DB_URL, sql, database)


def manage(*args) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def categories() -> dict[str, str]:
    """Problem category names of the demo catalogue that the generated rows use."""
    names = psql("SELECT string_agg(name, '|') FROM catalog_category WHERE parent_id IS NOT "
                 "NULL", DB_URL.rsplit("/", 1)[1]).split("|")
    return {name: PROBLEMS.get(name, [f"{name}问题反映"]) for name in names}


def write_file(path: Path, count: int, known: dict[str, list[str]]) -> None:
    rng = random.Random(12345)
    start = dt.datetime(2026, 1, 1, 8, 0)  # noqa: DTZ001 - local wall-clock text in the file
    names = list(known)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for index in range(count):
            category = names[index % len(names)]
            street = rng.choice(STREETS)
            number = rng.randint(1, 300)
            problem = rng.choice(known[category])
            when = start + dt.timedelta(minutes=index * 430_000 // max(count, 1))
            writer.writerow([
                f"SQ12345-{index:08d}", f"{street}{number}号{problem}"[:40],
                f"市民来电反映：{street}{number}号附近{problem}，已持续多日，请相关部门尽快处理。",
                when.strftime("%Y-%m-%d %H:%M:%S"), rng.choice(NAMES),
                f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}", category,
                f"宿迁市宿城区{street}{number}号",
                f"{118.25 + rng.random() * 0.1:.6f}", f"{33.92 + rng.random() * 0.08:.6f}"])


def main() -> None:
    name = DB_URL.rsplit("/", 1)[1]
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    manage("migrate", "-v0")
    manage("load_demo", "-v0")
    work = Path(tempfile.mkdtemp(prefix="sanmanyi-import-file-"))
    path = work / "12345-export.csv"
    t = time.monotonic()
    write_file(path, ROWS, categories())
    print(f"wrote {ROWS:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
          f"{time.monotonic() - t:.0f}s", flush=True)

    args = ["import_demands", str(path), "--source", "12345热线"]
    for field, column in MAPS.items():
        args += ["--map", f"{field}={column}"]
    t = time.monotonic()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    first = time.monotonic() - t
    demands = int(psql("SELECT count(*) FROM demands_demand", name))
    events = int(psql("SELECT count(*) FROM demands_demandevent", name))

    t = time.monotonic()
    subprocess.run([PY, "manage.py", *args[:4]], cwd=ROOT, env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    again = time.monotonic() - t
    if int(psql("SELECT count(*) FROM demands_demand", name)) != demands:
        raise SystemExit("the second import created demands: it is not idempotent")

    # The ceiling: the same rows through the database's own bulk load (COPY, streamed from
    # the client as the import's own writes are), into copies of the two tables with the
    # same indexes and constraints.
    dump = work / "demands.copy"
    dump_events = work / "events.copy"
    psql(f"\\copy demands_demand TO '{dump}'", name)
    psql(f"\\copy demands_demandevent TO '{dump_events}'", name)
    psql("CREATE TABLE ceiling_demand (LIKE demands_demand INCLUDING ALL); "
         "CREATE TABLE ceiling_event (LIKE demands_demandevent INCLUDING ALL)", name)
    t = time.monotonic()
    psql(f"\\copy ceiling_demand FROM '{dump}'", name)
    psql(f"\\copy ceiling_event FROM '{dump_events}'", name)
    ceiling = time.monotonic() - t
    psql("DROP TABLE ceiling_demand; DROP TABLE ceiling_event", name)

    print()
    print(f"| measure ({ROWS:,} rows, PostgreSQL) | seconds | rows/s |")
    print("|---|---:|---:|")
    print(f"| `import_demands` end to end, first import ({demands:,} demands, {events:,} "
          f"events) | {first:.1f} | {ROWS / first:,.0f} |")
    print(f"| the same file again (nothing new: all unchanged) | {again:.1f} | "
          f"{ROWS / again:,.0f} |")
    print(f"| ceiling: COPY of the same demand and event rows into tables with the same "
          f"indexes | {ceiling:.1f} | {ROWS / ceiling:,.0f} |")
    print(f"\nimport / ceiling: {ceiling / first:.0%}")


if __name__ == "__main__":
    sys.exit(main())
