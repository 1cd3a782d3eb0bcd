"""A real Celery worker is killed in the middle of a file; running the import again
finishes it with no row lost or doubled.

PostgreSQL only: the worker is another process and must see the test database.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from demands.models import Demand
from imports import jobs
from imports.mapping import source_named
from imports.models import Job, JobState

from .import_helpers import map_args, row, write_csv

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the worker process needs a shared database (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]
ROWS = 12_000
BAD_EVERY = 1_000  # rows 2, 1002, 2002, … (file row numbers) carry a bad time


def worker(queue: str) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanmanyi.settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "0", "VAR_DIR": str(settings.VAR_DIR),
           "LOG_LEVEL": "WARNING", "IMPORT_CHUNK_ROWS": "100"}
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sanmanyi", "worker", "--pool", "solo",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
         "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)


def test_a_killed_worker_s_job_is_finished_by_running_the_import_again(tmp_path, categories):
    rows = [row(n, 来电时间="昨天") if n % BAD_EVERY == 0 else row(n) for n in range(ROWS)]
    path = write_csv(tmp_path / "12345-全年.csv", rows, encoding="gbk")
    source = source_named("12345热线")
    with path.open("rb") as handle:
        job = jobs.upload(None, source, handle, path.name)
    mapping = dict(item.split("=", 1) for item in map_args()[1::2])
    jobs.confirm_here(None, job, mapping)

    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = worker(queue)
    try:
        from imports.tasks import run_job

        run_job.apply_async(args=[job.pk], queue=queue)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.done >= 1_000:
                break
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)  # mid-file, no chance to tidy up
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    job.refresh_from_db()
    assert job.state == JobState.RUNNING
    assert 1_000 <= job.done < ROWS, "the worker finished before it could be killed"
    # what is committed is consistent: every processed row is a demand or an error
    assert Demand.objects.count() == job.created == job.done - job.failed
    assert job.errors.count() == job.failed

    out = io.StringIO()
    call_command("import_demands", str(path), "--source", "12345热线", stdout=out)
    assert f"继续未完成的导入任务 #{job.pk}" in out.getvalue()
    job.refresh_from_db()
    bad_rows = ROWS // BAD_EVERY
    assert job.state == JobState.DONE and job.done == ROWS == job.total
    assert job.created == ROWS - bad_rows == Demand.objects.count()
    assert Demand.objects.values("external_id").distinct().count() == ROWS - bad_rows
    assert sorted(job.errors.values_list("row_number", flat=True)) == [
        n + 2 for n in range(0, ROWS, BAD_EVERY)]
    assert Job.objects.count() == 1
