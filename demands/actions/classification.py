"""Classification (分类): a demand that came without a category — an uncategorised export,
an API client that does not know our categories — waits in 待分类 on the default time
limit until a receiver gives it one, or an import assigns the routing model's guess.

Giving the category restarts nothing: the committed clock becomes the category's own,
counted from receipt (``clock.reclassified``), and the timeline records the old and new
deadlines. A category a person chose is not changed here; a predicted one may be
corrected before dispatch.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalog.models import Category
from lib.errors import ActionError
from lib.errors import clean_text as _text

from .. import clock
from ..models import Demand, EventKind, State
from ._common import expect_state, lock, moment, record
from .intake import leaf_category
from .triage import may_triage

CLASSIFY_STATES = (State.SUBMITTED, State.RECEIVED)


def needs_category(demand: Demand) -> bool:
    """Waits for a category, or carries only a machine's guess (which a person may
    correct before dispatch)."""
    return demand.category_id is None or demand.category_confidence is not None


def _stamp(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _apply(demand: Demand, category: Category, at, *, confidence: float | None) -> dict:
    """Set the category (fields only) and return the event's data."""
    before = demand.category
    demand.category = category
    demand.category_confidence = confidence
    if demand.urgency < category.urgency:  # a more urgent category raises it, never lowers
        demand.urgency = category.urgency
    old_deadline = clock.reclassified(demand, at)
    data = {"category": str(category), "from_category": str(before) if before else ""}
    if confidence is not None:
        data["predicted"] = True
        data["confidence"] = round(confidence, 3)
    if old_deadline is not None and old_deadline != demand.deadline:
        data["old_deadline"] = _stamp(old_deadline)
        data["deadline"] = _stamp(demand.deadline)
    return data


FIELDS = ["category", "category_confidence", "urgency", "deadline", "warn_at",
          "committed_deadline", "sla_flag", "updated_at"]


@transaction.atomic
def classify(actor, demand: Demand, category, note: str = "", at=None) -> Demand:
    """A receiver gives ``demand`` its category (or corrects the model's guess)."""
    at = moment(at)
    demand = lock(demand)
    if not may_triage(actor, demand):
        raise ActionError("forbidden", "您没有权限对该诉求执行“分类”。")
    expect_state(demand, CLASSIFY_STATES, "分类")
    if not needs_category(demand):
        raise ActionError("wrong_state", "该诉求已由工作人员分类，不能再改。", "category")
    category = leaf_category(category)
    note = _text(note, "说明", required=False, limit=500, field_name="note")
    data = _apply(demand, category, at, confidence=None)
    demand.save(update_fields=FIELDS)
    record(demand, EventKind.CLASSIFY, actor, at, demand.state, reason=note, **data)
    return demand


def classify_predicted(predictions: dict[int, tuple[Category, float]], at=None) -> int:
    """Imports: give each uncategorised demand (by id) the routing model's category and
    confidence, recorded as predicted (智能分类). Demands that meanwhile got a category or
    left 待受理/已受理 are skipped. Returns how many were classified."""
    at = moment(at)
    done = 0
    for start in range(0, len(ids := sorted(predictions)), 500):
        with transaction.atomic():
            rows = Demand.objects.select_for_update().filter(
                pk__in=ids[start:start + 500], category__isnull=True,
                state__in=CLASSIFY_STATES)
            for demand in rows:
                category, confidence = predictions[demand.pk]
                data = _apply(demand, category, at, confidence=float(confidence))
                demand.save(update_fields=FIELDS)
                record(demand, EventKind.CLASSIFY, None, at, demand.state, **data)
                done += 1
    return done
