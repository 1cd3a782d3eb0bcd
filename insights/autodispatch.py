"""Optional auto-dispatch (智能分派): a demand that has just become 待派遣 goes to the unit
the routing model names, when the model is at least ``ROUTING_AUTO_DISPATCH_CONFIDENCE``
sure. Off (0) by default: then the listener (``receivers.auto_dispatch``) returns before
touching the database.

A few demands (a form, the API) are dispatched inline, inside the transaction that
received them, so the person who registered one sees it dispatched at once. A larger
batch (a file import) is handed to a worker after the commit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from demands.actions import handover
from demands.models import Demand, State
from lib.errors import ActionError

from .models import RoutingTarget

log = logging.getLogger(__name__)

INLINE_LIMIT = 20
BATCH = 500
REFRESHED = ("state", "current_unit", "handler", "dispatched_at", "updated_at")


def dispatch(demands: list[Demand], threshold: float) -> int:
    """Dispatch those of ``demands`` the unit model is sure enough about; the others wait
    for a dispatcher. Returns how many were dispatched."""
    from . import routing  # scikit-learn: loaded when first needed, not at start-up

    texts = [routing.demand_text(d.title, d.content) for d in demands]
    done = 0
    for demand, pick in zip(demands, routing.top_suggestions(texts, RoutingTarget.UNIT),
                            strict=True):
        if pick is None or pick[1] < threshold:
            continue
        unit, confidence, version = pick
        try:
            with transaction.atomic():  # a refusal leaves the caller's transaction intact
                dispatched = handover.auto_dispatch(demand, unit, confidence=confidence,
                                                   model_version=version)
        except ActionError as error:
            log.info("auto-dispatch of %s refused: %s", demand.number, error.message)
            continue
        for name in REFRESHED:  # the caller's object tells the truth about the demand
            setattr(demand, name, getattr(dispatched, name))
        done += 1
    return done


def run(ids: list[int]) -> int:
    """The worker's side: the demands among ``ids`` still waiting for dispatch."""
    threshold = settings.ROUTING_AUTO_DISPATCH_CONFIDENCE
    if threshold <= 0:
        return 0
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = list(Demand.objects.filter(pk__in=ids[start:start + BATCH],
                                           state=State.RECEIVED).order_by("pk"))
        done += dispatch(chunk, threshold)
    return done
