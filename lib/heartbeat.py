"""The background worker's heartbeat: the worker records it (``sanmanyi.tasks.heartbeat``),
``/healthz`` and the administrator's console home read it. Here, below both, so that the
console does not import the project shell."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "sanmanyi:worker-heartbeat"


def record() -> str:
    """Record that a worker is alive now; returns the stamp written."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp


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
