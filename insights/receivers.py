"""Every listener of the insights app, connected once by ``InsightsConfig.ready``.

The service loop announces what happened through ``demands.signals`` (architecture
decision 11) and never imports this app. Each listener here decides whether its part is
small enough to do inline, in the action's transaction (a form, the API, a small batch),
or is queued for a worker once the transaction commits (file imports, big batches). The
work itself lives in ``autodispatch``, ``duplicates`` and ``search``, the worker's entry
points in ``tasks``; the listeners sit apart from both so that neither has to import the
other back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from demands.models import Demand
from demands.signals import demands_created, demands_received, demands_updated
from imports.models import Job
from imports.signals import chunk_imported

from . import autocategory, autodispatch, duplicates, search, tasks


def _after_commit(task, ids: list[int]) -> None:
    """Queue ``task`` with these demand ids once the action's transaction commits, so the
    worker reads what was written (and nothing if it rolls back)."""
    if ids:
        transaction.on_commit(lambda: task.delay(ids))


@receiver(demands_received, dispatch_uid="insights.autodispatch")
def auto_dispatch(sender, demands, **kwargs):
    """Demands that have just become 待派遣 go to the unit the routing model is sure of
    (when ``ROUTING_AUTO_DISPATCH_CONFIDENCE`` is set): inline for a few, by a worker for
    a file import's many."""
    threshold = settings.ROUTING_AUTO_DISPATCH_CONFIDENCE
    if threshold <= 0 or not demands:
        return
    if len(demands) > autodispatch.INLINE_LIMIT:
        _after_commit(tasks.auto_dispatch_demands, [demand.pk for demand in demands])
    else:
        autodispatch.dispatch(demands, threshold)


@receiver(demands_created, dispatch_uid="insights.duplicates.created")
def check_new_demands(sender, demands, source, **kwargs):
    """A few new demands (a form, the API, a staff registration) are checked for
    duplicates at once, inside the intake transaction, so the receiver sees the flags on
    the next page; batches and file imports are left to the worker, so intake stays fast."""
    if not demands:
        return
    if source != "import" and len(demands) <= duplicates.INLINE_LIMIT:
        duplicates.check_many(list(demands))
    else:
        _after_commit(tasks.check_duplicates,
                      [demand.pk for demand in demands if demand.pk is not None])


@receiver(demands_updated, dispatch_uid="insights.duplicates.updated")
def check_changed_demands(sender, demands, **kwargs):
    """A source system changed a demand's words or place (a re-imported file), so it may
    now repeat an earlier demand. Checked by the worker after the commit (pairs already
    flagged are left as they are)."""
    _after_commit(tasks.check_duplicates,
                  [demand.pk for demand in demands if demand.pk is not None])


@receiver(demands_created, dispatch_uid="insights.search.created")
@receiver(demands_updated, dispatch_uid="insights.search.updated")
def index_for_search(sender, demands, source="", **kwargs):
    """New demands become findable, and demands whose text a source system changed are
    found by their new words: inline up to ``search.INLINE_MAX``, by a worker above that
    and for every file import."""
    if source == "import" or len(demands) > search.INLINE_MAX:
        _after_commit(tasks.index_demands, [demand.pk for demand in demands])
    else:
        search.index(demands)


@receiver(post_save, sender=Demand, dispatch_uid="insights.search.saved")
def reindex_scope(sender, instance, created=False, update_fields=None, **kwargs):
    """A receive, dispatch, transfer or return changed who may see a demand, so its scope
    lexemes (PostgreSQL) are written again — one row, in the action's transaction. New
    demands are indexed through ``demands_created``."""
    if created or connection.vendor != "postgresql":
        return
    if update_fields is None or {"current_unit", "first_receiver"} & set(update_fields):
        search.index([instance])


@receiver(chunk_imported, sender=Job, dispatch_uid="insights.autocategory")
def auto_category(sender, job, demands, **kwargs) -> int:
    """An import asked for 智能分类 (``--auto-category``): classify its chunk's new
    uncategorised demands the category model is sure enough about, in the chunk's
    transaction. Returns how many."""
    if job.auto_category is None or not demands:
        return 0
    return autocategory.classify(demands, job.auto_category)
