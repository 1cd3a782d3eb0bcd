"""Places from text and hot topics without points (issue #10): recognition rate, and
``insights.topics.find`` over 20,000 uncategorised, point-less demands.

    .venv/bin/python bench/places.py
    BENCH_DEMANDS=20000 BENCH_PLACES_DB=smy_bench_places .venv/bin/python bench/places.py

Makes its own scratch PostgreSQL database (dropped and created again on each run),
migrates it, loads the demo organisation and gazetteer, and writes ``BENCH_DEMANDS``
message-board-like demands — no category, no point, a place named in words (a road, an
estate, a market of the demo gazetteer, or an estate it does not know), one of twenty
matters, colloquial filler — through ``submit_many`` in batches of 1,000, so the place
mentions are recognised as in production. Then it times ``recognise`` alone on the texts
and ``topics.find`` on the month, with its peak Python memory (tracemalloc).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_PLACES_DB", "smy_bench_places")
subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                f"DROP DATABASE IF EXISTS {DB}"], check=True)
subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
                f"CREATE DATABASE {DB}"], check=True)
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanmanyi.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
os.environ["DEMO_DEMANDS"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from demands.actions.intake import Intake, submit_many  # noqa: E402
from insights import topics  # noqa: E402
from places.demo import PLACES  # noqa: E402
from places.models import Mention  # noqa: E402
from places.recognise import recognise  # noqa: E402

N = int(os.environ.get("BENCH_DEMANDS", "20000"))
MATTERS = ["门口垃圾堆了好几天没人清运", "早上有人占道摆摊卖菜", "路灯晚上不亮", "井盖松动踩上去晃",
           "晚上工地打桩太吵", "烧烤油烟熏得开不了窗", "下雨积水过不去", "小广告贴满了墙",
           "树枝挡住了红绿灯", "人行道板翘起来绊倒老人", "共享单车乱停堵住盲道", "公厕没人打扫",
           "渣土车撒了一路", "店家把货摆到人行道上", "违章搭了彩钢房", "垃圾桶坏了没人换",
           "绿化带被踩秃了", "夜市噪音到半夜", "下水道堵了返臭水", "路面有个大坑"]
FILLER = ["已经反映过好几次了", "希望相关部门尽快处理", "附近居民意见很大", "孩子上学要经过这里",
          "老人晚上出门很不方便", "不知道归哪个部门管", "请城管来看一下"]
UNKNOWN = ["翠湖苑", "金色家园", "东方花园", "锦绣新村", "和园小区", "龙湖新城"]


def texts(rng: random.Random) -> tuple[str, str]:
    place = rng.choice([p[0] for p in PLACES if p[1] != "district"] + UNKNOWN)
    matter = rng.choice(MATTERS)
    title = f"{place}{matter[:8]}"
    content = f"{place}{rng.choice(['门口', '南门', '附近', '东侧', '路口'])}{matter}，" \
              f"{rng.choice(FILLER)}，{rng.choice(FILLER)}。"
    return title, content


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    rng = random.Random(10)
    now = timezone.now()
    pairs = [texts(rng) for _ in range(N)]
    started = time.perf_counter()
    for start in range(0, N, 1000):
        batch = [Intake(requester_kind="citizen", channel="wenzheng", category=None,
                        title=title, content=content, external_id=f"B{start + i}",
                        requester_phone=f"139{rng.randrange(10**8):08d}",
                        supports=rng.randrange(0, 30))
                 for i, (title, content) in enumerate(pairs[start:start + 1000])]
        submit_many(None, batch, at=now - dt.timedelta(days=rng.randrange(0, 28)))
    written = time.perf_counter() - started
    print(f"{N:,} demands written through submit_many (mentions recognised inline): "
          f"{written:.1f} s, {N / written:,.0f} demands/s; "
          f"{Mention.objects.count():,} mentions")
    sample = pairs[:5000]
    recognise(*sample[0])  # jieba's dictionary, loaded once
    started = time.perf_counter()
    for title, content in sample:
        recognise(title, content)
    took = time.perf_counter() - started
    print(f"recognise(): {len(sample):,} demands (title + content) in {took:.2f} s, "
          f"{len(sample) / took:,.0f} texts/s")
    for run in (1, 2):
        tracemalloc.start()
        started = time.perf_counter()
        found = topics.find(top=20, min_size=3)
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"topics.find() run {run}: {took:.2f} s, peak Python memory "
              f"{peak / 2**20:.0f} MiB, {len(found)} topics; top: "
              + "; ".join(f"{t.place} {t.matter} ({t.size})" for t in found[:3]))


if __name__ == "__main__":
    main()
