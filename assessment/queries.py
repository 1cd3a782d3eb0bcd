"""What other parts read of the assessment: the latest ranking (bulletins, the leaders'
dashboard) and a unit's breakdown. Read-only; nothing here checks permissions — the
caller decides who sees what (``assessment.access``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .models import Assessment, AssessmentState, Score, ScoreLine

SHOWN_STATES = (AssessmentState.PUBLISHED, AssessmentState.FINAL)


@dataclass(frozen=True)
class RankingRow:
    rank: int | None  # None: nothing could be assessed for the unit
    unit_id: int
    unit_name: str
    total: Decimal


def latest_assessment(start: dt.date | None = None,
                      end: dt.date | None = None) -> Assessment | None:
    """The newest published or final assessment that has been computed (of exactly the
    period ``start``–``end`` when given; either bound alone narrows too)."""
    found = Assessment.objects.filter(state__in=SHOWN_STATES, computed_at__isnull=False)
    if start is not None:
        found = found.filter(starts_on=start)
    if end is not None:
        found = found.filter(ends_on=end)
    return found.select_related("scheme").order_by("-ends_on", "-published_at", "-id").first()


def ranking(assessment: Assessment) -> list[RankingRow]:
    """The assessment's scores, best first (units without a rank last). One query."""
    scores = (Score.objects.filter(assessment=assessment).select_related("unit")
              .order_by("rank", "unit__path"))
    rows = [RankingRow(score.rank, score.unit_id, score.unit.display_name, score.total)
            for score in scores]
    return sorted(rows, key=lambda row: (row.rank is None, row.rank or 0))


def latest_ranking(start: dt.date | None = None,
                   end: dt.date | None = None) -> list[RankingRow]:
    """``[RankingRow(rank, unit_id, unit_name, total)]`` of the newest published or final
    assessment (of that period when given); ``[]`` when there is none. Two queries."""
    assessment = latest_assessment(start, end)
    return ranking(assessment) if assessment is not None else []


def breakdown(score: Score) -> list[ScoreLine]:
    """Every line of a unit's score, indicators first in the scheme's order, then the
    adjustments: label, value, numerator/denominator, points, the Chinese explanation and
    the link to the records behind it. One query."""
    return list(ScoreLine.objects.filter(score=score)
                .select_related("indicator", "adjustment")
                .order_by("sort_order", "id"))
