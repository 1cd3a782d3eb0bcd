"""Who filed what (docs/campaign.md, "Filing status"): a phase's board — every
participating unit against every period of the phase's requirements — and a unit's own
filings due or late, for the console's home page. Each costs a fixed number of queries
whatever the number of units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from org import access
from org.models import Unit

from .dates import period_label
from .models import Campaign, Filing, Phase, Reminder, Requirement

FILED = "filed"
FILED_LATE = "filed_late"
PENDING = "pending"
MISSING = "missing"
LABELS = {FILED: "已报送", FILED_LATE: "逾期报送", PENDING: "未到期", MISSING: "逾期未报"}
ORDER = (FILED, FILED_LATE, PENDING, MISSING)
# how far ahead a unit's home page lists what falls due
DUE_SOON_DAYS = 14


@dataclass
class Column:
    requirement: Requirement
    period: dt.date
    due_on: dt.date

    @property
    def label(self) -> str:
        month = period_label(self.period, self.requirement.is_monthly)
        return f"{self.requirement.title} {month}".strip()

    @property
    def key(self) -> str:
        return f"{self.requirement.pk}:{self.period:%Y-%m-%d}"


@dataclass
class Cell:
    column: Column
    unit: Unit
    status: str
    filing: Filing | None = None
    reminder: Reminder | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def remindable(self) -> bool:
        return self.filing is None


@dataclass
class Row:
    unit: Unit
    cells: list[Cell]


@dataclass
class Board:
    phase: Phase
    today: dt.date
    columns: list[Column]
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count_items(self) -> list[tuple[str, str, int]]:
        return [(key, LABELS[key], self.counts.get(key, 0)) for key in ORDER]


def status_of(filing: Filing | None, due_on: dt.date, today: dt.date) -> str:
    if filing is not None:
        return FILED_LATE if filing.late else FILED
    return PENDING if today <= due_on else MISSING


def _columns(requirements) -> list[Column]:
    return [Column(requirement, period, due_on)
            for requirement in requirements for period, due_on in requirement.periods()]


def board(phase: Phase, today: dt.date, user=None) -> Board:
    """The phase's filing board: one row per participating unit (those ``user`` may see
    the filings of, with ``plan.view``, when a user is given), one cell per requirement
    period. Four queries: requirements, units, filings (with their current version),
    reminders."""
    requirements = list(Requirement.objects.filter(phase=phase).select_related("phase")
                        .order_by("id"))
    for requirement in requirements:
        requirement.phase = phase
    columns = _columns(requirements)
    units = Unit.objects.filter(campaigns=phase.campaign_id).order_by("path")
    if user is not None:
        condition = access.scope_q(user, "plan.view", Unit)
        if condition is not None:
            units = units.filter(condition)
    units = list(units)
    ids = [unit.pk for unit in units]
    filings, reminders = {}, {}
    if columns and units:
        for filing in Filing.objects.filter(requirement__phase=phase, unit_id__in=ids) \
                .select_related("current__filed_by__staff"):
            filings[(filing.requirement_id, filing.unit_id, filing.period)] = filing
        for reminder in Reminder.objects.filter(requirement__phase=phase, unit_id__in=ids) \
                .select_related("sent_by__staff"):
            reminders[(reminder.requirement_id, reminder.unit_id, reminder.period)] = reminder
    counts = dict.fromkeys(ORDER, 0)
    rows = []
    for unit in units:
        cells = []
        for column in columns:
            key = (column.requirement.pk, unit.pk, column.period)
            filing = filings.get(key)
            status = status_of(filing, column.due_on, today)
            counts[status] += 1
            cells.append(Cell(column, unit, status, filing, reminders.get(key)))
        rows.append(Row(unit, cells))
    return Board(phase, today, columns, rows, counts)


@dataclass
class Owed:
    """A period a unit has not filed yet: due soon or late."""

    requirement: Requirement
    unit: Unit
    period: dt.date
    due_on: dt.date
    late: bool

    @property
    def label(self) -> str:
        month = period_label(self.period, self.requirement.is_monthly)
        return f"{self.requirement.title} {month}".strip()


def _running(today: dt.date):
    return Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)


def owed(user, today: dt.date) -> list[Owed]:
    """What the units ``user`` files for (``plan.file``) still owe in the campaigns
    running today: late periods and those due within ``DUE_SOON_DAYS``, the most urgent
    first. Three queries."""
    if not access.can_anywhere(user, "plan.file"):
        return []
    where = access.scope(user, "plan.file")
    memberships = Campaign.participants.through.objects.filter(
        campaign__in=_running(today)).select_related("unit")
    if not where.everything:
        condition = Q(pk__in=[])
        for path in where.paths:
            condition |= Q(unit__path__startswith=path)
        memberships = memberships.filter(condition)
    members: dict[int, list[Unit]] = {}
    for row in memberships.order_by("unit__path"):
        members.setdefault(row.campaign_id, []).append(row.unit)
    if not members:
        return []
    requirements = list(Requirement.objects.filter(phase__campaign_id__in=list(members))
                        .select_related("phase__campaign").order_by("phase__starts_on", "id"))
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    wanted = [(requirement, period, due_on) for requirement in requirements
              for period, due_on in requirement.periods() if due_on <= horizon]
    if not wanted:
        return []
    units = {unit.pk for found in members.values() for unit in found}
    filed = set(Filing.objects.filter(requirement__in=[r.pk for r, _p, _d in wanted],
                                      unit_id__in=units)
                .values_list("requirement_id", "unit_id", "period"))
    found = [Owed(requirement, unit, period, due_on, late=due_on < today)
             for requirement, period, due_on in wanted
             for unit in members[requirement.phase.campaign_id]
             if (requirement.pk, unit.pk, period) not in filed]
    return sorted(found, key=lambda owed: (owed.due_on, owed.unit.path))


def missing_count(today: dt.date) -> int:
    """逾期未报 over the campaigns running today: participating units × periods already
    due, less what was filed. Three queries."""
    requirements = list(Requirement.objects.filter(phase__campaign__in=_running(today))
                        .select_related("phase"))
    due = [(r, period) for r in requirements for period, due_on in r.periods() if due_on < today]
    if not due:
        return 0
    members = {}
    for campaign_id, unit_id in Campaign.participants.through.objects.filter(
            campaign__in=_running(today)).values_list("campaign_id", "unit_id"):
        members.setdefault(campaign_id, set()).add(unit_id)
    filed = set(Filing.objects.filter(requirement__in=[r.pk for r, _p in due])
                .values_list("requirement_id", "unit_id", "period"))
    return sum(1 for requirement, period in due
               for unit_id in members.get(requirement.phase.campaign_id, ())
               if (requirement.pk, unit_id, period) not in filed)
