"""Project-wide periodic jobs: the worker's heartbeat and housekeeping.

Both are idempotent, so running them twice, or on two workers at once, is harmless.
"""

from celery import shared_task
from django.core import management

from lib import heartbeat as worker_heartbeat


@shared_task
def heartbeat() -> str:
    """Record that a worker is alive; ``/healthz`` and the console read it."""
    return worker_heartbeat.record()


@shared_task
def housekeeping() -> None:
    """Drop expired sessions and sign-in logs older than 90 days."""
    management.call_command("clearsessions")
    management.call_command("axes_reset_logs", age=90)
