"""Search at 1,000,000 demands: indexing rate and query latency of ``insights.search``.

    .venv/bin/python bench/search.py                 # 600 queries per user
    BENCH_QUERIES=1000 BENCH_REINDEX=100000 .venv/bin/python bench/search.py

Needs the bench database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/sanmanyi_bench, filled by bench/generate.py and
migrated to insights 0002). Demands without a search document are indexed first (the
same code as ``manage.py rebuild_search_index --missing``) and that rate is printed;
then ``BENCH_REINDEX`` demands (default 50,000) are indexed again in chunks of 2,000, as
the listener does for a file import's chunk, and the per-demand cost is printed. That
re-index writes the same documents, so the database is left as it was.

The queries. The generated demands have a category name and "（基准测试 N）" as title, the
same sentence as content ("基准测试生成的诉求内容。" three times) and one address; so the
mix covers every shape: two-character words in ~4 % to ~17 % of titles (路灯, 垃圾, 道路 …),
words in every demand (基准, 测试, 内容, 宿迁 — the worst case for an inverted index),
longer phrases (垃圾清运不及时), two words ANDed, words found nowhere, a title's number
("基准测试 123456") and tracking numbers. Each query is the whole ``search()`` call the
console makes for its first page (20 results: exact-number lookup, permission-filtered
candidates, ranking, the page's demands with highlighted snippets) for two users: a
leader (the whole bureau) and the handler of the smallest unit (路灯管理所, ~3 % of the
demands: the hardest scope for "a common word, few visible matches"). The machine is
shared with other work, so the figures are pessimistic.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from io import StringIO

from common import percentile, setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from demands.models import Demand  # noqa: E402
from insights import search  # noqa: E402

QUERIES = int(os.environ.get("BENCH_QUERIES", "600"))
REINDEX = int(os.environ.get("BENCH_REINDEX", "50000"))
SEED = int(os.environ.get("BENCH_SEED", "11"))
USERS = os.environ.get("BENCH_USERS", "leader,handler_ludeng").split(",")

WORDS = ["路灯", "垃圾", "井盖", "占道", "油烟", "扰民", "破损", "广告", "树木", "道路", "积水",
         "施工", "渣土", "公厕", "绿地", "标牌"]
EVERYWHERE = ["基准", "测试", "内容", "宿迁", "诉求内容", "测试路"]
PHRASES = ["垃圾清运不及时", "夜间施工扰民", "人行道板松动", "店招标牌破损", "树木遮挡需修剪",
           "基准测试生成的诉求内容"]
TWO_WORDS = ["路灯 测试", "垃圾 宿迁", "井盖 缺失", "施工 扰民", "广告 违规"]
NOWHERE = ["钓鱼", "共享单车", "菜市场 噪音"]



def index_missing() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM demands_demand), "
                       "(SELECT count(*) FROM insights_searchdoc)")
        demands, documents = cursor.fetchone()
    if documents >= demands:
        return f"already indexed ({documents:,} documents)"
    started = time.perf_counter()
    call_command("rebuild_search_index", "--missing", "--batch", "5000", stdout=StringIO())
    seconds = time.perf_counter() - started
    return f"{demands - documents:,} demands in {seconds:.0f} s ({(demands - documents) / seconds:,.0f}/s)"


def reindex_rate() -> tuple[float, float]:
    """Re-index REINDEX demands in chunks of 2,000 (the import listener's unit): µs per
    demand for the whole call, and for building the documents in Python alone."""
    last = Demand.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows = list(Demand.objects.filter(pk__gt=last - REINDEX).order_by("pk")
                .values(*search.INDEX_FIELDS))
    started = time.perf_counter()
    for start in range(0, len(rows), 2000):
        with transaction.atomic():
            search.index(rows[start:start + 2000])
    total = time.perf_counter() - started
    objects = [Demand(**row) for row in rows]
    started = time.perf_counter()
    for demand in objects:
        search.tsvector(search._fields(demand))
    python = time.perf_counter() - started
    return total / len(rows) * 1e6, python / len(rows) * 1e6


def query_mix(rng: random.Random, count: int) -> list[tuple[str, str]]:
    numbers = list(Demand.objects.order_by("?").values_list("number", flat=True)[:50])
    last = Demand.objects.order_by("-pk").values_list("pk", flat=True).first()
    kinds = [("word", WORDS), ("everywhere", EVERYWHERE), ("phrase", PHRASES),
             ("two words", TWO_WORDS), ("nowhere", NOWHERE)]
    mix = []
    for i in range(count):
        roll = i % 10
        if roll < 4:
            kind, pool = kinds[0]
        elif roll < 5:
            kind, pool = kinds[1]
        elif roll < 7:
            kind, pool = kinds[2]
        elif roll < 8:
            kind, pool = kinds[3]
        elif roll < 9:
            kind, pool = kinds[4]
        else:
            mix.append(("number", rng.choice(numbers)) if i % 20 == 9 else
                       ("title number", f"基准测试 {rng.randint(1, last)}"))
            continue
        mix.append((kind, rng.choice(pool)))
    rng.shuffle(mix)
    return mix


def main() -> None:
    print("Indexing the demands without a document:", index_missing(), flush=True)
    per_demand, python = reindex_rate()
    print(f"Re-indexing {REINDEX:,} demands in chunks of 2,000: {per_demand:.0f} µs/demand "
          f"({1e6 / per_demand:,.0f}/s), of which building documents {python:.0f} µs",
          flush=True)
    rng = random.Random(SEED)
    mix = query_mix(rng, QUERIES)
    User = get_user_model()
    rows = []
    for username in USERS:
        user = User.objects.get(username=username)
        for _kind, text in mix[:20]:  # warm the caches
            search.search(user, text, limit=20)
        times: dict[str, list[float]] = {}
        capped = 0
        for kind, text in mix:
            started = time.perf_counter()
            results = search.search(user, text, limit=20)
            elapsed = (time.perf_counter() - started) * 1000
            times.setdefault(kind, []).append(elapsed)
            times.setdefault("all", []).append(elapsed)
            capped += results.capped
        for kind, values in times.items():
            rows.append((username, kind, len(values), statistics.median(values),
                         percentile(values, 95), percentile(values, 99), max(values)))
        print(f"{username}: {len(mix)} queries, {capped} with more than "
              f"{search.CANDIDATES} matches", flush=True)
    print()
    print("| user | queries | n | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for username, kind, n, p50, p95, p99, top in rows:
        print(f"| {username} | {kind} | {n} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {top:.1f} |")


if __name__ == "__main__":
    main()
