from celery import shared_task

from . import sweep as orders_sweep


@shared_task
def sweep() -> dict[str, int]:
    """Every few minutes (beat): flag orders past their deadline without an answer and
    escalate each once to the unit's heads and the leaders."""
    return orders_sweep.sweep()
