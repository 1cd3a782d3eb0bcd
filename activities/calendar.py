"""The campaign's calendar: phases, filing deadlines, targets' pace and the activities
recorded, per month, and a person's deadlines as iCalendar (docs/campaign.md, "Calendar").

A read model: nothing here changes state. The month costs a fixed number of queries
whatever the number of units, people and records (one grouped count per kind of fact).
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Campaign, Filing, Phase, Requirement
from org import access
from org.models import Unit

from .models import Activity, ActivityKind, Target
from .pace import required

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


@dataclass
class Event:
    kind: str  # phase_start, phase_end, due, activity
    title: str
    detail: str = ""
    tone: str = "secondary"  # a Bootstrap colour
    url: str = ""


@dataclass
class Day:
    date: dt.date
    in_month: bool
    today: bool
    events: list[Event] = field(default_factory=list)

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.date.weekday()]


@dataclass
class Checkpoint:
    """A target's pace at the end of the month."""

    target: Target
    required: int  # by the month's last day (or the period's end, if sooner)
    by: dt.date
    mine: list = field(default_factory=list)  # the viewer's own rows (progress.Row)


@dataclass
class Month:
    campaign: Campaign
    first: dt.date
    weeks: list[list[Day]]
    checkpoints: list[Checkpoint]
    activity_totals: dict[str, int]
    previous: dt.date | None
    following: dt.date | None

    @property
    def days(self) -> list[Day]:
        """The month's own days that carry something (the phone's agenda)."""
        return [day for week in self.weeks for day in week if day.in_month and day.events]

    @property
    def last(self) -> dt.date:
        return self.first.replace(day=pycal.monthrange(self.first.year, self.first.month)[1])


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def default_month(campaign: Campaign, today: dt.date) -> dt.date:
    """Today's month when it falls in the campaign, else its nearest end."""
    day = min(max(today, campaign.starts_on), campaign.ends_on)
    return month_start(day)


def filing_units(user) -> list[Unit]:
    """The units this person files for (``plan.file`` over their scope)."""
    where = access.scope(user, "plan.file")
    if where.everything or where.nothing:
        return []  # bureau-wide roles file for nobody in particular
    condition = Q()
    for path in where.paths:
        condition |= Q(path=path)
    return list(Unit.objects.filter(condition))


def _due_events(campaign, first, last, user, units) -> dict[dt.date, list[Event]]:
    """Filing deadlines in the month: for a unit's people, their unit's status; for the
    others, how many participating units have filed."""
    events: dict[dt.date, list[Event]] = defaultdict(list)
    requirements = list(Requirement.objects.filter(phase__campaign=campaign)
                        .select_related("phase"))
    due = [(requirement, period, due_on) for requirement in requirements
           for period, due_on in requirement.periods() if first <= due_on <= last]
    if not due:
        return events
    participants = campaign.participants.count()
    filed = defaultdict(int)
    mine = {}
    rows = (Filing.objects.filter(requirement__in=[r for r, _p, _d in due])
            .values("requirement_id", "period", "unit_id", "late"))
    unit_ids = {unit.pk for unit in units}
    for row in rows:
        filed[(row["requirement_id"], row["period"])] += 1
        if row["unit_id"] in unit_ids:
            mine[(row["requirement_id"], row["period"], row["unit_id"])] = row["late"]
    today = timezone.localdate()
    for requirement, period, due_on in due:
        title = f"截止：{requirement.title}"
        if requirement.is_monthly:
            title += f"（{period.month}月）"
        if units:
            for unit in units:
                key = (requirement.pk, period, unit.pk)
                if key in mine:
                    status, tone = ("逾期报送", "warning") if mine[key] else ("已报送", "success")
                elif due_on < today:
                    status, tone = "逾期未报", "danger"
                else:
                    status, tone = "待报送", "primary"
                events[due_on].append(Event("due", title, f"{unit.name}：{status}", tone))
        else:
            count = filed[(requirement.pk, period)]
            tone = "success" if participants and count >= participants else (
                "danger" if due_on < today else "primary")
            events[due_on].append(Event("due", title, f"已报 {count}/{participants} 个单位", tone))
    return events


def _activity_events(campaign, first, last, user):
    rows = (access.filter_for(user, "activity.view", Activity.objects.all())
            .filter(campaign=campaign, occurred_on__range=(first, last))
            .values("occurred_on", "kind").annotate(n=Count("id", distinct=True))
            .order_by("occurred_on", "kind"))
    labels = dict(ActivityKind.choices)
    events: dict[dt.date, list[Event]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        events[row["occurred_on"]].append(
            Event("activity", f"{labels[row['kind']]} {row['n']} 次", tone="info"))
        totals[row["kind"]] += row["n"]
    return events, {labels[kind]: n for kind, n in totals.items()}


def month(campaign: Campaign, first: dt.date, user, today: dt.date | None = None) -> Month:
    today = today or timezone.localdate()
    first = month_start(first)
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    events: dict[dt.date, list[Event]] = defaultdict(list)
    for phase in Phase.objects.filter(campaign=campaign).filter(
            Q(starts_on__range=(first, last)) | Q(ends_on__range=(first, last))):
        if first <= phase.starts_on <= last:
            events[phase.starts_on].append(Event("phase_start", f"{phase.name}阶段开始",
                                                  tone="dark"))
        if first <= phase.ends_on <= last:
            events[phase.ends_on].append(Event("phase_end", f"{phase.name}阶段结束",
                                               tone="dark"))
    for day, items in _due_events(campaign, first, last, user, filing_units(user)).items():
        events[day].extend(items)
    activities, totals = _activity_events(campaign, first, last, user)
    for day, items in activities.items():
        events[day].extend(items)

    weeks = []
    for week in pycal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([Day(date=day, in_month=day.month == first.month, today=day == today,
                          events=events.get(day, []) if day.month == first.month else [])
                      for day in week])
    checkpoints = []
    targets = list(Target.objects.filter(campaign=campaign, period_start__lte=last,
                                         period_end__gte=first).order_by("kind", "id"))
    mine = defaultdict(list)
    for row in own_rows(user, targets, min(today, last)) if targets else ():
        mine[row.target.pk].append(row)
    for target in targets:
        by = min(last, target.period_end)
        checkpoints.append(Checkpoint(target, required(target.count, target.period_start,
                                                       target.period_end, by), by,
                                      mine[target.pk]))
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return Month(
        campaign=campaign, first=first, weeks=weeks, checkpoints=checkpoints,
        activity_totals=totals,
        previous=previous if previous >= month_start(campaign.starts_on) else None,
        following=following if following <= campaign.ends_on else None,
    )


# --- a person's deadlines as iCalendar --------------------------------------------------
Deadline = tuple[str, dt.date, dt.date, str, str]


def deadlines(user, today: dt.date | None = None) -> list[Deadline]:
    """A person's campaign dates as ``(key, start, end, summary, description)`` (the key
    stays when the text changes): the phases of the campaigns not yet over, their units'
    filing deadlines, and the ends of the targets that name them or their unit."""
    today = today or timezone.localdate()
    horizon = today - dt.timedelta(days=92)
    campaigns = list(Campaign.objects.filter(ends_on__gte=horizon))
    items = []
    for phase in Phase.objects.filter(campaign__in=campaigns).select_related("campaign"):
        items.append((f"phase-{phase.pk}", phase.starts_on, phase.ends_on,
                      f"{phase.campaign.name}：{phase.name}阶段",
                      phase.description))
    units = filing_units(user)
    if units:
        filed = set(Filing.objects.filter(requirement__phase__campaign__in=campaigns,
                                          unit__in=units)
                    .values_list("requirement_id", "period", "unit_id"))
        participating = set(Campaign.participants.through.objects
                            .filter(campaign__in=campaigns, unit__in=units)
                            .values_list("campaign_id", "unit_id"))
        for requirement in (Requirement.objects.filter(phase__campaign__in=campaigns)
                            .select_related("phase")):
            for period, due_on in requirement.periods():
                if due_on < horizon:
                    continue
                for unit in units:
                    if (requirement.phase.campaign_id, unit.pk) not in participating:
                        continue
                    done = (requirement.pk, period, unit.pk) in filed
                    title = f"报送截止：{requirement.title}"
                    if requirement.is_monthly:
                        title += f"（{period.month}月）"
                    items.append((f"due-{requirement.pk}-{period:%Y%m%d}-{unit.pk}",
                                  due_on, due_on, f"{title}{'（已报送）' if done else ''}",
                                  f"{unit.name}；{requirement.guidance}".rstrip("；")))
    for row in own_rows(user, Target.objects.filter(campaign__in=campaigns), today):
        target = row.target
        items.append((f"target-{target.pk}-{row.assignee.key}", target.period_end,
                      target.period_end, f"目标截止：{target.label}",
                      f"{row.assignee.name}：{target.get_kind_display()} 已完成 {row.done} / "
                      f"{target.count} 次（{row.pace.label}）"))
    items.sort(key=lambda item: (item[1], item[3]))
    return items


def own_rows(user, targets, day: dt.date) -> list:
    """The person's own progress rows among ``targets``: the person-subject ones naming
    them (directly, by role, by the leading group) and the unit-subject ones of their unit
    (``activities.progress``: one expansion, one count, whatever the number of targets)."""
    from org.models import StaffProfile

    from .progress import rows

    unit_id = StaffProfile.objects.filter(user=user).values_list("unit_id", flat=True).first()
    return rows(targets, day, where=lambda a: a.user_id == user.pk
                or (a.user_id is None and unit_id is not None and a.unit_id == unit_id))


def ics(user, today: dt.date | None = None) -> bytes:
    """The person's deadlines as an iCalendar file (all-day events)."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    feed = Calendar()
    feed.add("prodid", "-//Sanmanyi//campaign calendar//ZH")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "三满意 · 我的截止日期")
    stamp = timezone.now()
    for key, start, end, summary, description in deadlines(user, today):
        event = IcsEvent()
        event.add("uid", f"{key}-{user.pk}@sanmanyi")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end + dt.timedelta(days=1))  # all-day: the end is exclusive
        event.add("summary", summary)
        if description:
            event.add("description", description)
        feed.add_component(event)
    return feed.to_ical()


# --- the feed's address: a secret per person -------------------------------------------
# Calendar applications fetch the feed without the console's session, so its address
# carries a signature of the person's id keyed on their password hash: changing the
# password revokes every address given out before.
def _signer(user):
    from django.core.signing import Signer

    return Signer(salt=f"sanmanyi.calendar.{user.pk}.{user.password}")


def feed_token(user) -> str:
    return _signer(user).sign(str(user.pk)).replace(":", "-")


def user_for_token(token: str):
    """The active person a feed token belongs to, or ``None``."""
    from django.contrib.auth import get_user_model
    from django.core.signing import BadSignature

    pk, _sep, _signature = token.partition("-")
    if not pk.isdigit():
        return None
    user = get_user_model().objects.filter(pk=int(pk), is_active=True).first()
    if user is None:
        return None
    try:
        _signer(user).unsign(token.replace("-", ":", 1))
    except BadSignature:
        return None
    return user
