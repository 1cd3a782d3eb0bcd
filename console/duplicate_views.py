"""The console's duplicate flags (疑似重复): the queue of open flags for dispatchers, and
并单 / 非重复 from the queue or from a demand's page. Each view: permission → validate →
action → respond (htmx fragments like the demand actions).

A decision taken on a demand's page answers with that page (post/redirect/get; the form's
``hx-select`` swaps its panel in): these views never build the demand page themselves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from demands.models import State
from insights import actions as flag_actions
from insights.models import FlagState
from lib.errors import ActionError
from org import access

from .demand_panel import flag_rows, flags

PAGE_SIZE = 50
DECISIONS = {"merge": gettext_lazy("已并单。"), "dismiss": gettext_lazy("已标记非重复。")}


@login_required
def duplicate_queue(request):
    if not access.can_anywhere(request.user, "demand.dispatch"):
        raise PermissionDenied
    # Only demands still waiting for triage: once dispatched, merged or invalidated
    # (through the demand's own forms, say), their flags can no longer be acted on.
    open_flags = access.filter_for(request.user, "demand.view", flags().filter(
        state=FlagState.OPEN, demand__state__in=[State.SUBMITTED, State.RECEIVED])) \
        .order_by("-created_at", "-id")
    page = Paginator(open_flags, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/duplicates.html", {
        "page": page, "rows": flag_rows(request.user, page.object_list)})


@login_required
@require_POST
def duplicate_decide(request, pk, decision):
    if decision not in DECISIONS:
        raise Http404
    flag = access.get_for_user_or_404(request.user, "demand.view", flags(), pk=pk)
    error = ""
    try:
        if decision == "merge":
            flag_actions.merge_flag(request.user, flag)
        else:
            flag_actions.dismiss_flag(request.user, flag)
    except ActionError as refused:
        error = refused.message
    if request.POST.get("back") == "detail":
        _report(request, decision, error)
        return redirect("console:demand_detail", number=flag.demand.number)
    if not request.headers.get("HX-Request"):
        _report(request, decision, error)
        return redirect("console:duplicates")
    row = flag_rows(request.user, [flags().get(pk=pk)])[0]
    row.error = error
    return render(request, "console/_duplicate_row.html", {"row": row})


def _report(request, decision: str, error: str) -> None:
    """The outcome, for the page the person is sent back to."""
    if error:
        messages.error(request, error)
    else:
        messages.success(request, DECISIONS[decision])
