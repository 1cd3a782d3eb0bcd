"""Pieces of a demand's console page that other console pages share, so that they import
this module and not the demand page's views (nor the demand page theirs).

Today: the duplicate flags (疑似重复) as a person reads them — on the demand's page for
that demand, in the dispatchers' queue (``duplicate_views``) for all open flags."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from demands.actions.triage import may_triage
from insights.duplicates import distance_between
from insights.models import DuplicateFlag, FlagState


@dataclass
class FlagRow:
    flag: DuplicateFlag
    percent: int
    reasons: list[str]
    can_decide: bool
    error: str = ""


def flag_rows(user, flags) -> list[FlagRow]:
    """What a person reads of each flag: the similarity in percent and the evidence in
    words (同一来电号码, 相距约 N 米)."""
    rows = []
    for flag in flags:
        reasons = []
        if "phone" in flag.reasons:
            reasons.append(_("同一来电号码"))
        if "place" in flag.reasons:
            metres = distance_between(flag.demand, flag.original)
            if metres is not None:
                reasons.append(_("相距约 %(metres)d 米") % {"metres": max(10, round(metres, -1))})
        rows.append(FlagRow(flag, round(flag.score * 100), reasons,
                            flag.state == FlagState.OPEN and may_triage(user, flag.demand)))
    return rows


def flags():
    """Duplicate flags with what their rows show (both demands' units, the decider)."""
    return DuplicateFlag.objects.select_related(
        "demand__current_unit", "demand__category", "original__current_unit",
        "decided_by__staff")


def panel_rows(user, demand) -> list[FlagRow]:
    """The open flags of one demand (the user already sees it), best first."""
    found = flags().filter(demand=demand, state=FlagState.OPEN).order_by("-score", "id")
    for flag in found:
        flag.demand = demand
    return flag_rows(user, found)
