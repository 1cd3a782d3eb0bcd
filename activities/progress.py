"""Progress toward targets (docs/campaign.md, "Progress" and "Pace"): who a target is
for, how many records each of them has in its period, and whether that is on pace.

A read model: nothing is stored. ``rows()`` costs a fixed number of queries whatever the
number of targets, people and records: one per kind of subject to expand (role holders,
leading groups, units, people) and two grouped counts (records by person, records by
unit), each with one conditional count per distinct (kind, period) of the targets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Campaign, LeadingGroupMember
from org import access
from org.models import Role, RoleAssignment, Unit, UnitKind

from .models import Activity, Target, TargetSubject
from .pace import Pace, pace

S = TargetSubject
# who sees every row and is told the bureau-wide count on the home page
BUREAU_ROLES = (Role.OFFICE, Role.PARTY, Role.LEADER, Role.ADMIN)


@dataclass(frozen=True)
class Assignee:
    """One person (person-subject targets) or one unit (unit-subject targets)."""

    user_id: int | None
    unit_id: int | None  # the unit itself, or the person's own unit
    name: str
    unit_name: str
    unit_path: str

    @property
    def key(self) -> str:
        return f"u{self.user_id}" if self.user_id is not None else f"n{self.unit_id}"

    @property
    def is_person(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class Row:
    target: Target
    assignee: Assignee
    pace: Pace

    @property
    def done(self) -> int:
        return self.pace.done

    @property
    def behind(self) -> bool:
        return self.pace.behind


Where = Callable[[Assignee], bool]


def _person(user) -> Assignee:
    staff = getattr(user, "staff", None)
    if staff is None:
        return Assignee(user.pk, None, user.get_full_name() or user.get_username(), "", "")
    return Assignee(user.pk, staff.unit_id, staff.full_name, staff.unit.display_name,
                    staff.unit.path)


def _unit(unit: Unit) -> Assignee:
    return Assignee(None, unit.pk, unit.name, unit.display_name, unit.path)


def expand(targets: Iterable[Target]) -> dict[int, list[Assignee]]:
    """Each target's assignees: person subjects become users (the role's holders, the
    named person, every member of the campaign's leading group), unit subjects units (the
    unit, or every active unit of kind 党支部). Inactive accounts and units are left out."""
    targets = list(targets)
    roles = {t.role for t in targets if t.subject == S.ROLE}
    campaigns = {t.campaign_id for t in targets if t.subject == S.GROUP}
    by_role: dict[str, set[int]] = defaultdict(set)
    if roles:
        for role, user_id in RoleAssignment.objects.filter(role__in=roles).values_list(
                "role", "user_id"):
            by_role[role].add(user_id)
    by_group: dict[int, set[int]] = defaultdict(set)
    if campaigns:
        for campaign_id, user_id in LeadingGroupMember.objects.filter(
                campaign_id__in=campaigns).values_list("campaign_id", "user_id"):
            by_group[campaign_id].add(user_id)
    wanted: dict[int, set[int]] = {}
    for target in targets:
        if target.subject == S.ROLE:
            wanted[target.pk] = by_role[target.role]
        elif target.subject == S.GROUP:
            wanted[target.pk] = by_group[target.campaign_id]
        elif target.subject == S.PERSON:
            wanted[target.pk] = {target.user_id}
    user_ids = set().union(*wanted.values()) if wanted else set()
    people = {}
    if user_ids:
        people = {user.pk: _person(user) for user in get_user_model().objects.filter(
            pk__in=user_ids, is_active=True).select_related("staff__unit")}
    unit_ids = {t.unit_id for t in targets if t.subject == S.UNIT}
    units: dict[int, Assignee] = {}
    branches: list[Assignee] = []
    if unit_ids or any(t.subject == S.BRANCHES for t in targets):
        condition = Q(pk__in=unit_ids)
        if any(t.subject == S.BRANCHES for t in targets):
            condition |= Q(kind=UnitKind.BRANCH)
        for unit in Unit.objects.filter(condition, is_active=True).order_by("path"):
            units[unit.pk] = _unit(unit)
            if unit.kind == UnitKind.BRANCH:
                branches.append(units[unit.pk])
    out: dict[int, list[Assignee]] = {}
    for target in targets:
        if target.subject in (S.ROLE, S.GROUP, S.PERSON):
            out[target.pk] = sorted((people[pk] for pk in wanted[target.pk] if pk in people),
                                    key=lambda a: (a.unit_path, a.name))
        elif target.subject == S.UNIT:
            out[target.pk] = [units[target.unit_id]] if target.unit_id in units else []
        else:
            out[target.pk] = list(branches)
    return out


def assignees(target: Target) -> list[Assignee]:
    return expand([target])[target.pk]


def _periods(targets) -> dict[tuple, str]:
    keys = sorted({(t.kind, t.period_start, t.period_end) for t in targets})
    return {key: f"c{index}" for index, key in enumerate(keys)}


def _counts(model_field: str, targets, ids: set[int] | None) -> dict[tuple, int]:
    """``{(id, kind, start, end): records}`` for person (``model_field="user"``) or unit
    targets, in one grouped query."""
    if not targets or ids == set():
        return {}
    periods = _periods(targets)
    first = min(t.period_start for t in targets)
    last = max(t.period_end for t in targets)
    kinds = {t.kind for t in targets}
    if model_field == "user":
        prefix = "activity__"
        queryset = Activity.people.through.objects.filter(
            activity__kind__in=kinds, activity__occurred_on__range=(first, last))
        group, counted = "user_id", "activity_id"
    else:
        prefix = ""
        queryset = Activity.objects.filter(kind__in=kinds, occurred_on__range=(first, last))
        group, counted = "unit_id", "id"
    if ids is not None:
        queryset = queryset.filter(**{f"{group}__in": ids})
    annotations = {
        name: Count(counted, filter=Q(**{f"{prefix}kind": kind,
                                         f"{prefix}occurred_on__range": (start, end)}))
        for (kind, start, end), name in periods.items()}
    out = {}
    for row in queryset.order_by().values(group).annotate(**annotations):
        for key, name in periods.items():
            if row[name]:
                out[(row[group], *key)] = row[name]
    return out


def rows(targets: Iterable[Target], day: dt.date | None = None,
         where: Where | None = None) -> list[Row]:
    """One row per (target, assignee) the ``where`` predicate keeps, with its pace on
    ``day`` (today). A person's count is the records of the target's kind in its period
    naming them among ``people``; a unit's, the records owned by that unit."""
    day = day or timezone.localdate()
    targets = list(targets)
    expanded = expand(targets)
    kept = {pk: [a for a in found if where is None or where(a)]
            for pk, found in expanded.items()}
    person_targets = [t for t in targets if t.per_person and kept[t.pk]]
    unit_targets = [t for t in targets if not t.per_person and kept[t.pk]]
    users = {a.user_id for t in person_targets for a in kept[t.pk]}
    units = {a.unit_id for t in unit_targets for a in kept[t.pk]}
    counts = _counts("user", person_targets, users)
    unit_counts = _counts("unit", unit_targets, units)
    out = []
    for target in targets:
        for assignee in kept[target.pk]:
            key = (target.kind, target.period_start, target.period_end)
            done = counts.get((assignee.user_id, *key), 0) if target.per_person \
                else unit_counts.get((assignee.unit_id, *key), 0)
            out.append(Row(target, assignee, pace(done, target.count, target.period_start,
                                                  target.period_end, day)))
    return out


# --- who sees which rows --------------------------------------------------------------------
def visible_to(user) -> Where | None:
    """The rows a person sees on the targets page: everybody's for the bureau-wide roles
    of ``activity.view``, otherwise the people and units under their scope, and their own."""
    where = access.scope(user, "activity.view")
    if where.everything:
        return None
    paths = where.paths

    def keep(assignee: Assignee) -> bool:
        return assignee.user_id == user.pk or any(
            assignee.unit_path.startswith(path) for path in paths if assignee.unit_path)
    return keep


def head_paths(user) -> tuple[str, ...]:
    """The subtrees a person heads (``unit_head`` grants)."""
    return tuple(sorted({grant.scope_path for grant in access.grants(user)
                         if grant.role == Role.UNIT_HEAD and grant.scope_path}))


def is_bureau_wide(user) -> bool:
    return user.is_superuser or access.has_role(user, *BUREAU_ROLES)


def running(day: dt.date) -> Campaign | None:
    return (Campaign.objects.filter(starts_on__lte=day, ends_on__gte=day)
            .order_by("-starts_on", "-id").first())


@dataclass(frozen=True)
class Alerts:
    """Behind-pace counts for the home page (``None``: not this person's to see)."""

    campaign: Campaign
    mine: int
    people: int | None  # a unit head: their units' people and units behind
    bureau: int | None  # the office and leaders: everybody behind


def alerts(user, day: dt.date | None = None, campaign: Campaign | None = None) -> Alerts | None:
    """The person's own targets behind pace; for a unit head, their people's; for the
    office and leaders, the bureau-wide count (rows of the campaign running on ``day``,
    unless the caller already has it)."""
    day = day or timezone.localdate()
    campaign = campaign or running(day)
    if campaign is None:
        return None
    targets = list(Target.objects.filter(campaign=campaign))
    if not targets:
        return None
    bureau = is_bureau_wide(user)
    heads = head_paths(user)

    def under_head(assignee: Assignee) -> bool:
        return bool(assignee.unit_path) and assignee.unit_path.startswith(heads)

    where = None if bureau else (lambda a: a.user_id == user.pk or under_head(a))
    behind = [row for row in rows(targets, day, where) if row.behind]
    return Alerts(
        campaign=campaign,
        mine=sum(1 for row in behind if row.assignee.user_id == user.pk),
        people=sum(1 for row in behind if row.assignee.user_id != user.pk
                   and under_head(row.assignee)) if heads else None,
        bureau=len(behind) if bureau else None,
    )
