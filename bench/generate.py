"""Fill the database with N synthetic demands (and their events) for benchmarks.

    DATABASE_URL=postgres://… .venv/bin/python bench/generate.py 1000000

PostgreSQL only (COPY). The organisation and categories must exist (``load_demo`` with
``DEMO_DEMANDS=0``). Demands spread over the last three years, most of them closed, the
recent ones in every open state; numbers are unique; ~3 events per demand.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanmanyi.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.models import Category  # noqa: E402
from demands.models import NUMBER_ALPHABET, Demand  # noqa: E402
from org.models import Role, Unit  # noqa: E402

DEMAND_COLUMNS = [f.column for f in Demand._meta.concrete_fields if f.column != "id"]
EVENT_COLUMNS = ["demand_id", "kind", "actor_id", "at", "from_state", "to_state", "unit_id",
                 "reason", "data"]
EVENTS_FILE = os.path.join(tempfile.gettempdir(), f"sanmanyi-bench-events-{os.getpid()}.tsv")
PRIME = 1_000_000_007
SPACE = len(NUMBER_ALPHABET) ** 6


def tail(index: int) -> str:
    """A bijection of the index onto six alphabet characters: unique, not sequential."""
    value = (index * PRIME) % SPACE
    chars = []
    for _ in range(6):
        value, digit = divmod(value, len(NUMBER_ALPHABET))
        chars.append(NUMBER_ALPHABET[digit])
    return "".join(chars)


def main(count: int, seed: int = 7) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("bench/generate.py needs PostgreSQL (it uses COPY)")
    rng = random.Random(seed)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    categories = list(Category.objects.filter(parent__isnull=False).select_related("default_unit"))
    districts = list(Unit.objects.filter(kind="district"))
    User = get_user_model()
    receivers = list(User.objects.filter(role_assignments__role=Role.RECEIVER)
                     .values_list("pk", flat=True))
    dispatcher = User.objects.filter(role_assignments__role=Role.DISPATCHER).first().pk
    intake = Unit.objects.get(code="digital").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM demands_demand")
        first_id = cursor.fetchone()[0] + 1
    span = 3 * 365 * 24 * 3600
    started = time.monotonic()
    connection.ensure_connection()
    raw = connection.connection
    levels = [5] * 45 + [4] * 30 + [3] * 12 + [2] * 8 + [1] * 5
    with raw.cursor() as cur:
        with cur.copy(f"COPY demands_demand (id, {', '.join(DEMAND_COLUMNS)}) FROM STDIN") as copy, \
                open(EVENTS_FILE, "w") as events:
            for i in range(count):
                pk = first_id + i
                submitted = now - dt.timedelta(seconds=span * (rng.random() ** 1.2))
                category = rng.choice(categories)
                unit = rng.choice(districts).pk if rng.random() < 0.2 else category.default_unit_id
                age_days = (now - submitted).days
                roll = rng.random()
                if age_days > 14:
                    state = "closed" if roll < 0.97 else ("merged" if roll < 0.985 else "invalid")
                else:
                    state = rng.choice(["submitted", "received", "dispatched", "handling",
                                        "handling", "replied", "follow_up", "closed", "closed"])
                received = submitted + dt.timedelta(minutes=rng.randint(1, 90))
                limit_hours = category.time_limit * (24 if category.time_limit_unit == "days" else 1)
                deadline = received + dt.timedelta(hours=limit_hours)
                warn = deadline - dt.timedelta(hours=category.warning_hours)
                dispatched = received + dt.timedelta(minutes=rng.randint(5, 60))
                accepted = dispatched + dt.timedelta(minutes=rng.randint(5, 120))
                late = rng.random() < 0.12
                replied = received + dt.timedelta(hours=limit_hours * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.9)))
                level = rng.choice(levels)
                evaluated = replied + dt.timedelta(hours=rng.randint(2, 48))
                has = {
                    "received": state not in ("submitted",),
                    "dispatched": state in ("dispatched", "handling", "replied", "follow_up", "closed"),
                    "accepted": state in ("handling", "replied", "follow_up", "closed"),
                    "replied": state in ("replied", "follow_up", "closed"),
                    "evaluated": state in ("follow_up", "closed") and rng.random() < 0.85,
                }
                if state == "follow_up":
                    level = rng.choice([1, 2])
                ts = lambda value, flag: value if flag else None  # noqa: E731
                row = {
                    "number": f"{timezone.localtime(submitted, tz):%y%m%d}-{tail(pk)}",
                    "requester_kind": rng.choices(["citizen", "grassroots", "enterprise"], [70, 15, 15])[0],
                    "requester_name": "测试用户", "requester_phone": f"139{rng.randrange(10**8):08d}",
                    "requester_org": "", "enterprise_id": None, "grassroots_unit_id": None,
                    "channel": rng.choice(["12345", "12345", "12319", "portal", "weibo", "wenzheng", "gov_cloud", "walk_in"]),
                    "external_id": "", "category_id": category.pk, "category_confidence": None,
                    "point_source": "", "supports": 0, "opposes": 0,
                    "title": f"{category.name}（基准测试 {pk}）", "content": "基准测试生成的诉求内容。" * 3,
                    "address": "宿迁市测试路1号", "longitude": round(118.2 + rng.random() / 10, 6),
                    "latitude": round(33.9 + rng.random() / 10, 6), "urgency": category.urgency,
                    "state": state, "first_receiver_id": rng.choice(receivers) if has["received"] else None,
                    "current_unit_id": unit if has["dispatched"] or state in ("closed",) else intake,
                    "handler_id": None, "duplicate_of_id": None, "submitted_at": submitted,
                    "received_at": ts(received, has["received"]),
                    "dispatched_at": ts(dispatched, has["dispatched"]),
                    "accepted_at": ts(accepted, has["accepted"]),
                    "deadline": ts(deadline, has["received"]), "warn_at": ts(warn, has["received"]),
                    "committed_deadline": ts(deadline, has["received"]),
                    "sla_flag": "overdue" if has["received"] and deadline < now and not has["replied"] else "normal",
                    "first_replied_at": ts(replied, has["replied"]),
                    "replied_on_time": (not late) if has["replied"] else None,
                    "replied_at": ts(replied, has["replied"]),
                    "visited_at": ts(evaluated, has["evaluated"] and rng.random() < 0.6),
                    "closed_at": ts(evaluated, state == "closed"),
                    "reply": "已处理完毕。" if has["replied"] else "",
                    "first_evaluation_level": level if has["evaluated"] else None,
                    "first_evaluated_at": ts(evaluated, has["evaluated"]),
                    "evaluation_level": level if has["evaluated"] else None,
                    "evaluated_at": ts(evaluated, has["evaluated"]),
                    "is_repeat": rng.random() < 0.04, "return_count": int(rng.random() < 0.06),
                    "extension_count": int(rng.random() < 0.05), "follow_up_count": int(state == "follow_up"),
                    "updated_at": now, "consent_publish": rng.random() < 0.3,
                    "evaluation_token_hash": "",
                }
                copy.write_row([pk, *(row[c] for c in DEMAND_COLUMNS)])
                steps = [("register", received, "", "received", intake)]
                if has["dispatched"]:
                    steps.append(("dispatch", dispatched, "received", "dispatched", unit))
                if has["accepted"]:
                    steps.append(("accept", accepted, "dispatched", "handling", unit))
                if has["replied"]:
                    steps.append(("reply", replied, "handling", "replied", unit))
                for kind, at, before, after, where in steps:
                    events.write(f"{pk}\t{kind}\t{dispatcher}\t{at.isoformat()}\t{before}\t{after}\t{where}\t\t{{}}\n")
                if (i + 1) % 100_000 == 0:
                    print(f"  {i + 1:,} demands ({time.monotonic() - started:.0f}s)", flush=True)
        with open(EVENTS_FILE) as events, \
                cur.copy(f"COPY demands_demandevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            while chunk := events.read(1 << 20):
                copy.write(chunk)
        cur.execute("SELECT setval(pg_get_serial_sequence('demands_demand', 'id'), "
                    "(SELECT MAX(id) FROM demands_demand))")
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE demands_demand")
        cursor.execute("ANALYZE demands_demandevent")
    os.remove(EVENTS_FILE)
    print(f"generated {count:,} demands in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
