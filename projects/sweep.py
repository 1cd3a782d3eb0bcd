"""The projects' sweep, beside the demands' (``demands.sla``): milestones past their date
and not done, projects past their deadline and not done, rectification commitments past
their deadline and not fulfilled get their ``overdue_flag``, an event, and a notice to
the owner unit's heads and the supervision office (督查室).

Safe to run twice or on two workers at once: each flag moves by a conditional UPDATE and
only the run whose UPDATE changed the row writes the event and the notices. A date is
overdue the day after it (a milestone due today is on time all day).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from inbox.actions import notify
from org.models import Role
from org.queries import users_with_role

from .models import (
    ACTIVE_STATES,
    Commitment,
    CommitmentEvent,
    CommitmentKind,
    CommitmentState,
    Milestone,
    MilestoneState,
    Project,
    ProjectEvent,
    ProjectEventKind,
)


def _people(unit) -> list:
    heads = list(users_with_role([Role.UNIT_HEAD], unit)) if unit is not None else []
    return [*heads, *users_with_role([Role.SUPERVISOR])]


def sweep(now=None, batch: int = 500) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counts = {"milestones": 0, "projects": 0, "commitments": 0}

    late = Milestone.objects.filter(state=MilestoneState.PLANNED, due__lt=today,
                                     overdue_flag=False, project__state__in=ACTIVE_STATES)
    for pk in list(late.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if not Milestone.objects.filter(pk=pk, overdue_flag=False).update(
                    overdue_flag=True):
                continue
            milestone = Milestone.objects.select_related("project", "owner_unit").get(pk=pk)
            project = milestone.project
            ProjectEvent.objects.create(
                project=project, kind=ProjectEventKind.MILESTONE_OVERDUE, at=now,
                from_state=project.state, to_state=project.state,
                data={"milestone": milestone.title, "due": f"{milestone.due:%Y-%m-%d}"})
            notify(_people(milestone.owner_unit or project.responsible_unit),
                   "project.milestone_overdue",
                   f"里程碑逾期：{project.title} · {milestone.title}",
                   f"计划 {milestone.due:%Y-%m-%d} 完成，至今未确认完成。",
                   reverse("console:project", args=[project.pk]),
                   dedupe_key=f"milestone-overdue:{pk}:{milestone.due}", at=now)
            counts["milestones"] += 1

    late = Project.objects.filter(state__in=ACTIVE_STATES, deadline__lt=today,
                                  overdue_flag=False)
    for pk in list(late.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if not Project.objects.filter(pk=pk, overdue_flag=False).update(overdue_flag=True):
                continue
            project = Project.objects.select_related("responsible_unit").get(pk=pk)
            ProjectEvent.objects.create(
                project=project, kind=ProjectEventKind.OVERDUE, at=now,
                from_state=project.state, to_state=project.state,
                data={"deadline": f"{project.deadline:%Y-%m-%d}"})
            notify(_people(project.responsible_unit), "project.overdue",
                   f"实事项目逾期：{project.title}",
                   f"完成时限 {project.deadline:%Y-%m-%d} 已过，项目尚未完成。",
                   reverse("console:project", args=[project.pk]),
                   dedupe_key=f"project-overdue:{pk}:{project.deadline}", at=now)
            counts["projects"] += 1

    late = Commitment.objects.filter(kind=CommitmentKind.RECTIFICATION,
                                     state=CommitmentState.OPEN, deadline__lt=today,
                                     overdue_flag=False)
    for pk in list(late.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if not Commitment.objects.filter(pk=pk, overdue_flag=False).update(
                    overdue_flag=True):
                continue
            commitment = Commitment.objects.select_related("unit", "owner").get(pk=pk)
            CommitmentEvent.objects.create(commitment=commitment, kind="overdue", at=now,
                                           from_state=commitment.state,
                                           to_state=commitment.state)
            people = _people(commitment.unit)
            if commitment.owner is not None:
                people.append(commitment.owner)
            notify(people, "commitment.overdue", f"整改承诺逾期：{commitment.title}",
                   f"{commitment.unit.display_name}承诺 {commitment.deadline:%Y-%m-%d} 前整改完毕，"
                   "至今未确认兑现。",
                   reverse("console:commitment", args=[commitment.pk]),
                   dedupe_key=f"commitment-overdue:{pk}:{commitment.deadline}", at=now)
            counts["commitments"] += 1
    return counts
