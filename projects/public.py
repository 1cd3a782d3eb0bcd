"""The one public view of projects and commitments: what the portal pages, the Atom feed,
the open data and the statistics page read — never the models directly.

Texts written by staff may quote a citizen ("李先生反映……13905271234"): every free text
goes through ``lib.privacy.mask_text``; commenters' names are masked and their phones
never leave this module; only approved comments exist here. The demands behind a project
are a count, not a list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from demands.models import SATISFIED_LEVELS
from lib.privacy import mask_name, mask_text

from .models import (
    PUBLIC_STATES,
    CommentState,
    Commitment,
    CommitmentState,
    MilestoneState,
    Project,
    ProjectPhoto,
    ProjectRating,
    ProjectState,
    PublicComment,
)

PUBLIC_COMMITMENT_STATES = (CommitmentState.OPEN, CommitmentState.FULFILLED,
                            CommitmentState.CANCELLED)


@dataclass(frozen=True)
class PublicPhoto:
    full: str
    phone: str
    thumb: str
    width: int
    height: int


@dataclass(frozen=True)
class PublicMilestone:
    title: str
    due: dt.date
    unit: str
    done: bool
    done_on: dt.date | None
    evidence: str
    overdue: bool
    photos: list[PublicPhoto]


@dataclass(frozen=True)
class PublicUpdate:
    text: str
    posted_at: dt.datetime
    photos: list[PublicPhoto]


@dataclass(frozen=True)
class PublicCommentView:
    name: str
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class Satisfaction:
    """Project satisfaction: ratings at 基本满意 or better ÷ ratings (the demand formula)."""

    satisfied: int
    rated: int

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def percent(self) -> int | None:
        """The rate in whole percent, rounded half up, as the public pages show it."""
        return (200 * self.satisfied + self.rated) // (2 * self.rated) if self.rated else None


@dataclass(frozen=True)
class PublicProject:
    pk: int
    title: str
    background: str
    plan: str
    measures: str
    unit: str
    cooperating: list[str]
    leader: str
    budget: str
    deadline: dt.date | None
    state: str
    state_code: str
    delay_reason: str
    cancel_reason: str
    summary: str
    published_at: dt.datetime | None
    completed_at: dt.datetime | None
    updated_at: dt.datetime
    overdue: bool
    demands: int
    milestones_done: int
    milestones: int
    satisfaction: Satisfaction
    timeline: list[PublicMilestone] = field(default_factory=list)
    updates: list[PublicUpdate] = field(default_factory=list)
    comments: list[PublicCommentView] = field(default_factory=list)

    @property
    def progress(self) -> int:
        """Percent of milestones done (100 once the project is done)."""
        if self.state_code == ProjectState.DONE:
            return 100
        return round(100 * self.milestones_done / self.milestones) if self.milestones else 0


@dataclass(frozen=True)
class PublicCommitment:
    pk: int
    kind: str
    kind_code: str
    source: str
    unit: str
    window: str
    title: str
    content: str
    deadline: dt.date | None
    state: str
    state_code: str
    evidence: str
    overdue: bool
    published_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    comments: list[PublicCommentView] = field(default_factory=list)


def _photo(photo: ProjectPhoto) -> PublicPhoto:
    return PublicPhoto(photo.image.url, photo.phone.url, photo.thumb.url, photo.width,
                       photo.height)


def _comment(comment: PublicComment) -> PublicCommentView:
    return PublicCommentView(mask_name(comment.name), mask_text(comment.text, comment.name),
                             comment.created_at)


def comment_preview(comment: PublicComment) -> PublicCommentView:
    """How a comment would read once approved (the moderator's page shows it beside the
    original): the same masking as the public pages, whatever the comment's state."""
    return _comment(comment)


def _leader_name(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return getattr(staff, "full_name", "") or user.get_full_name() or ""


def projects():
    """The projects the public may see, with what a list needs (a constant number of
    queries whatever their number)."""
    return (Project.objects.filter(state__in=PUBLIC_STATES)
            .select_related("responsible_unit", "lead_leader__staff")
            .prefetch_related("cooperating_units")
            .annotate(n_demands=Count("demands", distinct=True),
                      n_milestones=Count("milestones", distinct=True),
                      n_done=Count("milestones", filter=Q(milestones__state=MilestoneState.DONE),
                                   distinct=True),
                      n_rated=Count("ratings", distinct=True),
                      n_satisfied=Count("ratings", filter=Q(ratings__level__in=SATISFIED_LEVELS),
                                        distinct=True))
            .order_by("-published_at", "-id"))


def masked_project(project: Project, *, detail: bool = False) -> PublicProject:
    """A project of ``projects()`` as the public reads it; ``detail`` adds the timeline,
    the updates with photos and the approved comments."""
    timeline, updates, comments = [], [], []
    if detail:
        milestone_photos = Prefetch("photos", queryset=ProjectPhoto.objects.order_by("pk"))
        for milestone in project.milestones.select_related("owner_unit").prefetch_related(
                milestone_photos):
            timeline.append(PublicMilestone(
                mask_text(milestone.title), milestone.due,
                milestone.owner_unit.name if milestone.owner_unit else "",
                milestone.state == MilestoneState.DONE,
                milestone.done_at.date() if milestone.done_at else None,
                mask_text(milestone.evidence), milestone.overdue_flag,
                [_photo(p) for p in milestone.photos.all()]))
        for update in project.updates.prefetch_related("photos"):
            updates.append(PublicUpdate(mask_text(update.text), update.posted_at,
                                        [_photo(p) for p in update.photos.all()]))
        comments = [_comment(c) for c in project.comments.filter(
            state=CommentState.APPROVED).order_by("created_at", "id")]
    return PublicProject(
        pk=project.pk, title=mask_text(project.title),
        background=mask_text(project.background), plan=mask_text(project.plan),
        measures=mask_text(project.measures),
        unit=project.responsible_unit.name if project.responsible_unit else "",
        cooperating=[u.name for u in project.cooperating_units.all()],
        leader=_leader_name(project.lead_leader),
        budget=f"{project.budget:g} 万元" if project.budget is not None else "",
        deadline=project.deadline, state=project.get_state_display(),
        state_code=project.state, delay_reason=mask_text(project.delay_reason),
        cancel_reason=mask_text(project.cancel_reason), summary=mask_text(project.summary),
        published_at=project.published_at, completed_at=project.completed_at,
        updated_at=project.updated_at, overdue=project.overdue_flag,
        demands=project.n_demands, milestones_done=project.n_done,
        milestones=project.n_milestones,
        satisfaction=Satisfaction(project.n_satisfied, project.n_rated),
        timeline=timeline, updates=updates, comments=comments)


def project(pk: int) -> PublicProject | None:
    found = projects().filter(pk=pk).first()
    return masked_project(found, detail=True) if found is not None else None


def commitments():
    return (Commitment.objects.filter(state__in=PUBLIC_COMMITMENT_STATES)
            .select_related("unit").order_by("-published_at", "-id"))


def masked_commitment(commitment: Commitment, *, detail: bool = False) -> PublicCommitment:
    comments = [_comment(c) for c in commitment.comments.filter(
        state=CommentState.APPROVED).order_by("created_at", "id")] if detail else []
    return PublicCommitment(
        pk=commitment.pk, kind=commitment.get_kind_display(), kind_code=commitment.kind,
        source=commitment.get_source_display(), unit=commitment.unit.name,
        window=commitment.window, title=mask_text(commitment.title),
        content=mask_text(commitment.content), deadline=commitment.deadline,
        state=commitment.get_state_display(), state_code=commitment.state,
        evidence=mask_text(commitment.evidence), overdue=commitment.overdue_flag,
        published_at=commitment.published_at, fulfilled_at=commitment.fulfilled_at,
        comments=comments)


def commitment(pk: int) -> PublicCommitment | None:
    found = commitments().filter(pk=pk).first()
    return masked_commitment(found, detail=True) if found is not None else None


def project_satisfaction(start=None, end=None) -> Satisfaction:
    """Project satisfaction over ratings given in [start, end) (all when not given) —
    reported beside the three satisfaction rates."""
    ratings = ProjectRating.objects.all()
    if start is not None:
        ratings = ratings.filter(created_at__gte=start)
    if end is not None:
        ratings = ratings.filter(created_at__lt=end)
    figures = ratings.aggregate(rated=Count("pk"),
                                satisfied=Count("pk", filter=Q(level__in=SATISFIED_LEVELS)))
    return Satisfaction(figures["satisfied"], figures["rated"])


# --- the Atom feed and open data ----------------------------------------------------------
FEED_KINDS = ("leader_approve", "update", "milestone_done", "delay", "resume", "complete",
              "cancel")


@dataclass(frozen=True)
class FeedEntry:
    project_pk: int
    event_pk: int
    title: str
    text: str
    at: dt.datetime


def feed_entries(limit: int = 50) -> list[FeedEntry]:
    """What happened to public projects, newest first: published, progress, milestones
    done, delays, completion, withdrawal — masked like every public text."""
    from .models import ProgressUpdate, ProjectEvent

    events = (ProjectEvent.objects.filter(project__state__in=PUBLIC_STATES,
                                          kind__in=FEED_KINDS)
              .select_related("project").order_by("-at", "-id")[:limit])
    updates = {u.pk: u.text for u in ProgressUpdate.objects.filter(
        pk__in=[e.data.get("update") for e in events if e.kind == "update"])}
    out = []
    for event in events:
        if event.kind == "update":
            text = updates.get(event.data.get("update"), "")
        elif event.kind == "milestone_done":
            text = f"里程碑“{event.data.get('milestone', '')}”已完成。"
        else:
            text = event.reason
        out.append(FeedEntry(event.project_id, event.pk,
                             f"{mask_text(event.project.title)} · {event.get_kind_display()}",
                             mask_text(text), event.at))
    return out


PROJECT_FIELDS = ["id", "title", "state", "unit", "cooperating_units", "leader", "deadline",
                  "progress", "milestones_done", "milestones", "demands", "overdue",
                  "published_at", "completed_at", "ratings", "satisfaction", "delay_reason",
                  "cancel_reason", "plan", "measures"]
COMMITMENT_FIELDS = ["id", "kind", "source", "unit", "window", "title", "content",
                     "deadline", "state", "overdue", "published_at", "fulfilled_at",
                     "evidence"]


def _iso(value):
    return value.isoformat() if value is not None else None


def project_records() -> list[dict]:
    """Open data: one record per public project (docs/open-data.md)."""
    out = []
    for row in projects():
        item = masked_project(row)
        out.append({
            "id": item.pk, "title": item.title, "state": item.state,
            "unit": item.unit, "cooperating_units": "、".join(item.cooperating),
            "leader": item.leader, "deadline": _iso(item.deadline),
            "progress": item.progress, "milestones_done": item.milestones_done,
            "milestones": item.milestones, "demands": item.demands,
            "overdue": item.overdue, "published_at": _iso(item.published_at),
            "completed_at": _iso(item.completed_at),
            "ratings": item.satisfaction.rated,
            "satisfaction": round(item.satisfaction.rate, 4)
            if item.satisfaction.rate is not None else None,
            "delay_reason": item.delay_reason, "cancel_reason": item.cancel_reason,
            "plan": item.plan, "measures": item.measures})
    return out


def commitment_records() -> list[dict]:
    out = []
    for row in commitments():
        item = masked_commitment(row)
        out.append({
            "id": item.pk, "kind": item.kind, "source": item.source, "unit": item.unit,
            "window": item.window, "title": item.title, "content": item.content,
            "deadline": _iso(item.deadline), "state": item.state, "overdue": item.overdue,
            "published_at": _iso(item.published_at),
            "fulfilled_at": _iso(item.fulfilled_at), "evidence": item.evidence})
    return out
