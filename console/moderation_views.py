"""留言审核 (issue #11): the public's comments on practical projects and commitments, held
for moderation until the office approves them (公开) or not (不予公开, with an optional
reason). Only holders of ``project.moderate`` see the page or act; the decisions go through
``projects.public_actions.moderate``, the action the Django admin uses too. Ratings of
projects carry no text, so there is nothing of theirs to moderate.

Each view: permission → validate → action → respond (an htmx fragment — the comment's
card and the counts — or post/redirect/get without JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from lib.errors import ActionError
from org import access
from projects import public, public_actions
from projects.models import CommentState, PublicComment

PAGE_SIZE = 30
MODERATE = "project.moderate"
DECISIONS = {"approve": "已公开该留言。", "reject": "已决定不予公开该留言。"}
REASON_LIMIT = 200


@dataclass
class Row:
    comment: PublicComment
    name: str  # masked, as the public would read it
    preview: str  # the text as it would be published ("" when masking changes nothing)
    error: str = ""
    reason: str = ""  # what the moderator typed, kept when the action refused it


def _require(user) -> None:
    if not access.can_anywhere(user, MODERATE):
        raise PermissionDenied


def _rows(comments) -> list[Row]:
    rows = []
    for comment in comments:
        shown = public.comment_preview(comment)
        rows.append(Row(comment, shown.name, shown.text if shown.text != comment.text else ""))
    return rows


def _state(value: str | None) -> str:
    return value if value in CommentState.values else CommentState.PENDING


def state_counts() -> list[tuple[str, str, int]]:
    counts = dict(PublicComment.objects.order_by().values_list("state")
                  .annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in CommentState.choices]


def _comments():
    return PublicComment.objects.select_related("project", "commitment",
                                                "moderated_by__staff")


@login_required
def comment_list(request):
    _require(request.user)
    state = _state(request.GET.get("state"))
    rows = _comments().filter(state=state)
    # the queue first come, first served; decisions taken, the latest first
    rows = rows.order_by("created_at", "id") if state == CommentState.PENDING \
        else rows.order_by("-moderated_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/comments.html", {
        "state": state, "state_label": CommentState(state).label, "page": page,
        "rows": _rows(page.object_list), "counts": state_counts(),
        "reason_limit": REASON_LIMIT})


@login_required
@require_POST
def comment_moderate(request, pk, decision):
    if decision not in DECISIONS:
        raise Http404
    _require(request.user)
    comment = get_object_or_404(PublicComment, pk=pk)
    reason = request.POST.get("reason", "") if decision == "reject" else ""
    error = ""
    try:
        public_actions.moderate(request.user, comment, decision == "approve", reason)
    except ActionError as refused:
        error = refused.message
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, DECISIONS[decision])
        query = {"state": _state(request.POST.get("state"))}
        if request.POST.get("page", "").isdigit():
            query["page"] = request.POST["page"]
        return redirect(f"{reverse('console:comments')}?{urlencode(query)}")
    row = _rows([_comments().get(pk=pk)])[0]
    row.error = error
    row.reason = reason if error else ""
    return render(request, "console/_comment_row.html", {
        "row": row, "counts": state_counts(), "oob": True, "reason_limit": REASON_LIMIT,
        "state": _state(request.POST.get("state")),
        "done": "" if error else DECISIONS[decision]})
