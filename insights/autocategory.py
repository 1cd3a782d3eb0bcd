"""智能分类 of imported demands that came without a category: the routing model's category,
assigned when it is at least as sure as the import asked (``import_demands
--auto-category 0.8``), recorded as predicted (the demand shows 智能分类 with the model's
confidence, the timeline a 分类 event without a person). The others stay in 待分类 for a
receiver, who sees the model's top three there."""

from __future__ import annotations

from demands.actions import classification
from demands.models import Demand

from .models import RoutingTarget


def classify(demands: list[Demand], threshold: float) -> int:
    """Give each of ``demands`` the category model's best guess when its confidence is at
    least ``threshold``. Returns how many were classified (none when no usable model)."""
    from . import routing  # scikit-learn: loaded when first needed, not at start-up

    texts = [routing.demand_text(d.title, d.content) for d in demands]
    picks = {}
    for demand, pick in zip(demands, routing.top_suggestions(texts, RoutingTarget.CATEGORY),
                            strict=True):
        if pick is not None and pick[1] >= threshold:
            picks[demand.pk] = (pick[0], pick[1])
    return classification.classify_predicted(picks) if picks else 0
