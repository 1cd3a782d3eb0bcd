"""The console's duplicate flags (疑似重复): the panel on a demand's page and the queue of
open flags for dispatchers, with 并单 and 非重复. Each view: permission → validate →
action → respond (htmx fragments like the demand actions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from demands.actions.triage import may_triage
from demands.models import State
from insights import actions as flag_actions
from insights.duplicates import distance_between
from insights.models import DuplicateFlag, FlagState
from lib.errors import ActionError
from org import access

PAGE_SIZE = 50
DECISIONS = {"merge": gettext_lazy("已并单。"), "dismiss": gettext_lazy("已标记非重复。")}


@dataclass
class FlagRow:
    flag: DuplicateFlag
    percent: int
    reasons: list[str]
    can_decide: bool
    error: str = ""


def _rows(user, flags) -> list[FlagRow]:
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


def _flags():
    return DuplicateFlag.objects.select_related(
        "demand__current_unit", "demand__category", "original__current_unit",
        "decided_by__staff")


def panel_rows(user, demand) -> list[FlagRow]:
    """The open flags of one demand (the user already sees it), best first."""
    flags = _flags().filter(demand=demand, state=FlagState.OPEN).order_by("-score", "id")
    for flag in flags:
        flag.demand = demand
    return _rows(user, flags)


@login_required
def duplicate_queue(request):
    if not access.can_anywhere(request.user, "demand.dispatch"):
        raise PermissionDenied
    # Only demands still waiting for triage: once dispatched, merged or invalidated
    # (through the demand's own forms, say), their flags can no longer be acted on.
    flags = access.filter_for(request.user, "demand.view", _flags().filter(
        state=FlagState.OPEN, demand__state__in=[State.SUBMITTED, State.RECEIVED])) \
        .order_by("-created_at", "-id")
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/duplicates.html", {
        "page": page, "rows": _rows(request.user, page.object_list)})


@login_required
@require_POST
def duplicate_decide(request, pk, decision):
    if decision not in DECISIONS:
        raise Http404
    flag = access.get_for_user_or_404(request.user, "demand.view", _flags(), pk=pk)
    back = request.POST.get("back", "queue")
    error = ""
    try:
        if decision == "merge":
            flag_actions.merge_flag(request.user, flag)
        else:
            flag_actions.dismiss_flag(request.user, flag)
    except ActionError as refused:
        error = refused.message
    htmx = request.headers.get("HX-Request")
    if back == "detail":
        from .demand_views import _detail_context, _get_demand

        if not error:
            messages.success(request, DECISIONS[decision])
        demand = _get_demand(request, flag.demand.number)
        if not htmx:
            if error:
                messages.error(request, error)
            return redirect("console:demand_detail", number=demand.number)
        return render(request, "console/demands/_panel.html",
                      _detail_context(request, demand,
                                      errors={"duplicate": error} if error else None))
    if not htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, DECISIONS[decision])
        return redirect("console:duplicates")
    flag = _flags().get(pk=pk)
    row = _rows(request.user, [flag])[0]
    row.error = error
    return render(request, "console/_duplicate_row.html", {"row": row},
                  status=200)
