from celery import shared_task

from . import sla


@shared_task
def sweep() -> dict[str, int]:
    """Every few minutes (beat): warn before deadlines, mark and escalate overdue ones."""
    return sla.sweep()


@shared_task
def refresh_dashboards() -> int:
    """Keep the bureau-wide KPI dashboards warm in the cache (see demands.kpis)."""
    from . import kpis

    return kpis.refresh_dashboards()


@shared_task
def refresh_rollups() -> dict:
    """Every minute (beat): recompute the roll-ups of the days changed since the last run
    and of the days that closed (demands/rollups.py)."""
    from . import rollups

    return rollups.refresh()
