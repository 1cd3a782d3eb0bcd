"""The insights worker's tasks, queued by ``receivers`` after an action commits (and by the
beat for retraining). Each is idempotent, so a rerun or a second worker does no harm."""

from celery import shared_task
from django.core.cache import cache

from . import autodispatch, duplicates, search


@shared_task(acks_late=True)
def check_duplicates(ids: list[int]) -> int:
    """Duplicate detection for a large batch or a file import's chunk, after it commits.
    Idempotent: a pair already flagged is left as it was, so a rerun or a second worker
    adds nothing. Returns how many demands were flagged."""
    return duplicates.check_ids(ids)


@shared_task(acks_late=True)
def index_demands(ids: list[int]) -> int:
    """(Re)index these demands for search (queued after a file import's chunk commits).
    Idempotent: running it twice, or on two workers, writes the same documents."""
    return search.index_ids(ids)


# Two workers (or beat and a button) retraining at once would only waste the machine:
# the second finds the lock held and returns. The lock expires on its own if a worker dies.
RETRAIN_LOCK = "insights.routing.retrain"
RETRAIN_LOCK_SECONDS = 3 * 3600


@shared_task(acks_late=True)
def retrain_routing(targets: list[str] | None = None) -> list[dict]:
    """Nightly (beat) and on an administrator's request: train a new version of each
    routing model from the history. Each run adds versions; nothing is overwritten."""
    from . import routing
    from .models import RoutingTarget

    if not cache.add(RETRAIN_LOCK, "1", RETRAIN_LOCK_SECONDS):
        return []
    try:
        return [{"target": m.target, "version": m.version, "usable": m.usable,
                 "samples": m.samples, "macro_f1": m.macro_f1}
                for m in (routing.train(target) for target in
                          (targets or RoutingTarget.values))]
    finally:
        cache.delete(RETRAIN_LOCK)


@shared_task(acks_late=True)
def auto_dispatch_demands(ids: list[int]) -> int:
    """Auto-dispatch of a large batch of received demands (a file import), off the
    request. Demands no longer waiting for dispatch are skipped, so a rerun is harmless."""
    return autodispatch.run(ids)
