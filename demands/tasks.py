from celery import shared_task

from . import sla


@shared_task
def sweep() -> dict[str, int]:
    """Every few minutes (beat): warn before deadlines, mark and escalate overdue ones."""
    return sla.sweep()
