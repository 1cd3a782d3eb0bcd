"""Read models of enterprise pairing (docs/campaign.md, "enterprises").

The reach of a pairing. A pairing of year Y names its cadres for that year; they keep
seeing the enterprise (its page and its demands) through the end of year Y + 1, so that a
demand filed in December and answered in January is still in sight of the cadres who
followed it, and a new year's pairing can be entered after New Year without a gap. From
1 January of Y + 2 on, a cadre of only that pairing sees nothing more of the enterprise.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from org import access

from .models import Enterprise, Pairing

REACH = 2  # a pairing reaches in its own year and the next


def reach_years(today: dt.date | None = None) -> tuple[int, ...]:
    """The pairing years whose cadres are in reach today: this year's and last year's."""
    year = (today or timezone.localdate()).year
    return tuple(range(year - REACH + 1, year + 1))


def _in_reach(user, today: dt.date | None) -> list[tuple[int, int]]:
    """(pairing id, enterprise id) of the pairings naming ``user`` as a cadre that reach
    today: one query, kept on the user object for the request (the permission rules of
    pairings and demands, the demand filter and the menu all ask)."""
    if today is None and hasattr(user, "_sanmanyi_paired"):
        return user._sanmanyi_paired
    rows = sorted(set(Pairing.cadres.through.objects.filter(
        user_id=user.pk, pairing__year__in=reach_years(today))
        .values_list("pairing_id", "pairing__enterprise_id")))
    if today is None:
        user._sanmanyi_paired = rows
    return rows


def cadre_pairing_ids(user, today: dt.date | None = None) -> list[int]:
    """The pairings naming ``user`` as a cadre that reach today."""
    if user is None or not user.is_authenticated:
        return []
    return [pairing for pairing, _ in _in_reach(user, today)]


def paired_enterprise_ids(user, year: int | None = None,
                          today: dt.date | None = None) -> list[int]:
    """The enterprises ``user`` is a cadre of: in a pairing of ``year``, or (no year) in
    a pairing that reaches today (this year's or last year's)."""
    if user is None or not user.is_authenticated:
        return []
    if year is None:
        return sorted({enterprise for _, enterprise in _in_reach(user, today)})
    return sorted(Pairing.cadres.through.objects.filter(
        user_id=user.pk, pairing__year=year)
        .values_list("pairing__enterprise_id", flat=True).distinct())


def visible_pairings(user, queryset: QuerySet | None = None) -> QuerySet:
    """Pairings the user may see (``pairing.view``: the paired unit's people, the
    bureau-wide roles, the pairing's cadres while it reaches)."""
    queryset = Pairing.objects.all() if queryset is None else queryset
    return access.filter_for(user, "pairing.view", queryset)


def visible_enterprises(user) -> QuerySet:
    """Enterprises the user may open: every one for the bureau-wide roles, otherwise
    those with a pairing they may see."""
    if access.scope_q(user, "pairing.view", Pairing) is None:
        return Enterprise.objects.all()
    return Enterprise.objects.filter(pk__in=visible_pairings(user).values("enterprise_id"))


def may_view_any(user) -> bool:
    return access.can_anywhere(user, "pairing.view")


def may_see_contact(user, enterprise: Enterprise, pairings) -> bool:
    """The contact's phone: for those who manage pairings, the heads of a unit paired in
    reach (``pairing.edit`` on it) and its cadres — the people who call the enterprise."""
    if access.can_anywhere(user, "pairing.manage"):
        return True
    years = reach_years()
    for pairing in pairings:
        if pairing.year in years and (access.can(user, "pairing.edit", pairing)
                                      or any(c.pk == user.pk for c in pairing.cadres.all())):
            return True
    return False


def list_rows(user, year: int) -> list[Enterprise]:
    """The enterprises list for one pairing year: each visible enterprise with that year's
    pairings (units and cadres prefetched) and counts — goals done and total, cadres. A
    fixed number of queries whatever the number of enterprises."""
    from django.db.models import Prefetch

    pairings = Pairing.objects.filter(year=year).select_related("unit").prefetch_related(
        "cadres__staff").order_by("unit__path")
    in_year = Q(pairings__year=year)
    enterprises = visible_enterprises(user).filter(is_active=True).annotate(
        goal_count=Count("pairings__goals", filter=in_year),
        goal_done=Count("pairings__goals",
                        filter=in_year & Q(pairings__goals__done_on__isnull=False)),
    ).prefetch_related(Prefetch("pairings", queryset=pairings, to_attr="year_pairings"))
    rows = list(enterprises.order_by("name"))
    for enterprise in rows:
        enterprise.cadre_count = len({c.pk for p in enterprise.year_pairings
                                      for c in p.cadres.all()})
    return rows
