"""The sweep runs in a real Celery worker process, fed through the real broker transport.

PostgreSQL only: the worker is another process and must see the test database (SQLite's
test database lives in this process's memory).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from demands.models import Demand, EventKind, SlaFlag
from inbox.models import Notification

from .demand_helpers import registered

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the worker process needs a shared database (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def test_a_celery_worker_runs_the_sla_sweep(personas, categories, org):
    demand = registered(personas, categories.litter, "2026-11-23 09:00")  # long overdue
    db = settings.DATABASES["default"]
    queue = f"test-{uuid.uuid4().hex[:8]}"  # nobody else's worker takes these messages
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanmanyi.settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "0", "VAR_DIR": str(settings.VAR_DIR),
           "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sanmanyi", "worker", "--pool", "solo",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
         "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        from demands.tasks import sweep

        sweep.apply_async(queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            demand.refresh_from_db()
            if demand.sla_flag == SlaFlag.OVERDUE:
                break
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.5)
        assert demand.sla_flag == SlaFlag.OVERDUE
        assert demand.events.filter(kind=EventKind.OVERDUE).count() == 1
        assert Notification.objects.filter(kind="demand.overdue",
                                           recipient=personas.supervisor).count() == 1
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert Demand.objects.get(pk=demand.pk).sla_flag == SlaFlag.OVERDUE


