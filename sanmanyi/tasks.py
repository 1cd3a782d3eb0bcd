"""Project-wide periodic jobs: the worker's heartbeat and housekeeping.

Both are idempotent, so running them twice, or on two workers at once, is harmless.
"""

from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core import management
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "sanmanyi:worker-heartbeat"


@shared_task
def heartbeat() -> str:
    """Record that a worker is alive; ``/healthz`` and the console read it."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp


@shared_task
def housekeeping() -> None:
    """Drop expired sessions and sign-in logs older than 90 days."""
    management.call_command("clearsessions")
    management.call_command("axes_reset_logs", age=90)


def last_heartbeat() -> datetime | None:
    """The time of the worker's last heartbeat, or None if none was ever recorded."""
    stamp = cache.get(HEARTBEAT_KEY)
    return datetime.fromisoformat(stamp) if stamp else None


def worker_status() -> tuple[datetime | None, bool]:
    """(last heartbeat, whether it is recent enough to call the worker alive)."""
    beat = last_heartbeat()
    fresh = beat is not None and \
        (timezone.now() - beat).total_seconds() < settings.WORKER_STALE_AFTER_SECONDS
    return beat, fresh
