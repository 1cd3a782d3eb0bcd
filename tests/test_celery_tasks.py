"""The worker's task registry: what the beat sends, a worker must know."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_a_worker_registers_every_task_the_beat_sends():
    """A worker knows a task only if it imports its module; the beat's schedule names
    tasks in apps and in the project shell (the heartbeat that /healthz reads)."""
    code = ("from sanmanyi.celery import app; app.loader.import_default_modules(); "
            "print('\\n'.join(sorted(app.tasks)))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanmanyi.settings",
           "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "0"}
    env.pop("DATABASE_URL", None)
    registered = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                capture_output=True, text=True, check=True).stdout.split()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled and scheduled <= set(registered), scheduled - set(registered)
