from celery import shared_task

from . import sweep as projects_sweep


@shared_task
def sweep() -> dict[str, int]:
    """Every few minutes (beat): mark overdue milestones, projects and rectification
    commitments, and tell their units and the supervision office."""
    return projects_sweep.sweep()
