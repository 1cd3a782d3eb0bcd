"""The units' filings (实施方案 and phase reports, issue #12): a phase's filing board —
who filed, who filed late, who is missing, with the office's 催报 —, a unit's filing form
(made to work on a phone) and its version history with the attachments. Filed documents
are not public: each download is checked like its page (``plan.view`` on the unit).
Design: docs/campaign.md."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns import actions, status
from campaigns.dates import period_label
from campaigns.models import (
    Filing,
    FilingAttachment,
    FilingVersion,
    Phase,
    Requirement,
    RequirementKind,
)
from lib import documents
from lib.errors import ActionError
from lib.forms import Bootstrap, MultipleFileField
from org import access
from org.models import Unit

STATUS_CHOICES = [("", _("全部状态")), *((key, status.LABELS[key]) for key in status.ORDER)]


def _phase(request, pk) -> Phase:
    if not access.can_anywhere(request.user, "plan.view"):
        raise PermissionDenied
    return get_object_or_404(Phase.objects.select_related("campaign"), pk=pk)


class BoardFilter(Bootstrap, forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)
    column = forms.ChoiceField(label=_("报送要求"), required=False)
    q = forms.CharField(label=_("单位"), required=False, max_length=50)

    def __init__(self, *args, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [("", _("全部要求")), *(
            (column.key, f"{column.label}（{column.due_on:%m-%d}截止）") for column in columns)]


@login_required
def filings_home(request):
    """材料报送 in the menu: the board of the phase under way (or else the latest phase to
    have started, or the first one to come)."""
    if not access.can_anywhere(request.user, "plan.view"):
        raise PermissionDenied
    today = timezone.localdate()
    phases = Phase.objects.order_by("-starts_on", "-pk")
    phase = (phases.filter(starts_on__lte=today, ends_on__gte=today).first()
             or phases.filter(starts_on__lte=today).first()
             or phases.order_by("starts_on", "pk").first())
    if phase is None:
        messages.info(request, _t("还没有设置活动阶段。"))
        return redirect("console:campaigns")
    query = request.GET.urlencode()
    url = reverse("console:filing_board", args=[phase.pk])
    return redirect(f"{url}?{query}" if query else url)


@login_required
def filing_board(request, pk):
    phase = _phase(request, pk)
    today = timezone.localdate()
    board = status.board(phase, today, request.user)
    form = BoardFilter(request.GET or None, columns=board.columns)
    columns, rows = board.columns, board.rows
    if form.is_valid():
        data = form.cleaned_data
        if data["column"]:
            keep = [i for i, column in enumerate(columns) if column.key == data["column"]]
            columns = [columns[i] for i in keep]
            rows = [status.Row(row.unit, [row.cells[i] for i in keep]) for row in rows]
        if data["status"]:
            rows = [row for row in rows if any(c.status == data["status"] for c in row.cells)]
        if data["q"]:
            rows = [row for row in rows if data["q"] in row.unit.name]
    can_remind = access.can_bureau_wide(request.user, "plan.remind")
    filable = {row.unit.pk for row in rows if actions.may_file(request.user, row.unit)}
    return render(request, "console/campaigns/board.html", {
        "phase": phase, "campaign": phase.campaign, "board": board, "columns": columns,
        "rows": rows, "form": form, "can_remind": can_remind, "filable": filable,
        "today": today, "phases": phase.campaign.phases.all(),
        "here": request.get_full_path(),
    })


@login_required
@require_POST
def filing_remind(request, pk):
    """催报: the office reminds one unit of one requirement period (POST from the board)."""
    phase = _phase(request, pk)
    if not access.can_bureau_wide(request.user, "plan.remind"):
        raise PermissionDenied
    requirement = get_object_or_404(Requirement, phase=phase, pk=request.POST.get("requirement")
                                     or 0)
    unit = get_object_or_404(Unit, code=request.POST.get("unit", ""))
    try:
        actions.remind(requirement, unit, request.POST.get("period"), by=request.user)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已向“{unit.name}”催报{requirement.title}。")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("console:filing_board", args=[phase.pk])
    return redirect(back)


# --- one unit's filing ------------------------------------------------------------------
def _filing_target(request, requirement_pk, code, period):
    """The requirement, the unit (one the person may see the filings of, or 404), the
    period (one of the requirement's, or 404) and its due date."""
    if not access.can_anywhere(request.user, "plan.view"):
        raise PermissionDenied
    requirement = get_object_or_404(Requirement.objects.select_related("phase__campaign"),
                                     pk=requirement_pk)
    unit = access.get_for_user_or_404(request.user, "plan.view", Unit.objects.all(), code=code)
    if not requirement.phase.campaign.participants.filter(pk=unit.pk).exists():
        raise Http404
    try:
        day = dt.date.fromisoformat(period)
    except ValueError:
        raise Http404 from None
    due = dict(requirement.periods()).get(day)
    if due is None:
        raise Http404
    filing = Filing.objects.filter(requirement=requirement, unit=unit, period=day) \
        .select_related("current__filed_by__staff").first()
    return requirement, unit, day, due, filing


class FilingForm(Bootstrap, forms.Form):
    goals = forms.CharField(label=_("目标任务"), max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    standards = forms.CharField(label=_("创建标准"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 4}))
    schedule = forms.CharField(label=_("序时进度"), max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("推进措施"), max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 4}))
    lead = forms.CharField(label=_("牵头负责人"), max_length=100)
    content = forms.CharField(label=_("报送内容"), max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(
        label=_("附件（最多 5 个）"), required=False,
        help_text=_("PDF、Word、Excel、WPS 或 OFD，每个不超过 20 MB；按文件内容识别类型。"))
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False,
                           help_text=_("修改已报送的材料时填写：改了什么、为什么改。"))
    expected = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, requirement: Requirement, revising: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if requirement.kind == RequirementKind.PLAN:
            del self.fields["content"]
        else:
            for name in actions.PLAN_FIELDS:
                del self.fields[name]
        if not revising:  # a revision's note is asked for by the action (``file``), which
            del self.fields["note"]  # first refuses a form sent twice
        self.fields["attachments"].widget.attrs["accept"] = ",".join(
            f".{ext}" for ext in documents.ALLOWED)
        for name, field in self.fields.items():
            if name not in ("attachments", "expected"):
                field.widget.attrs["class"] = "form-control form-control-lg"


def _initial(filing: Filing | None) -> dict:
    version = filing.current if filing else None
    values = {"expected": version.number if version else 0}
    if version is not None:
        values |= {name: getattr(version, name) for name in (*actions.PLAN_FIELDS, "content")}
    return values


@login_required
def filing(request, requirement, unit, period):
    requirement, unit, day, due, filing = _filing_target(request, requirement, unit, period)
    if not actions.may_file(request.user, unit):
        raise PermissionDenied
    revising = filing is not None
    form = FilingForm(request.POST or None, request.FILES or None, requirement=requirement,
                      revising=revising, initial=_initial(filing))
    history = reverse("console:filing_history", args=[requirement.pk, unit.code,
                                                       f"{day:%Y-%m-%d}"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = actions.file(requirement, unit, day, data, by=request.user,
                                   attachments=data["attachments"], expected=data["expected"])
        except ActionError as error:
            if error.code == "conflict":
                messages.info(request, error.message)
                return redirect(history)
            field = "attachments" if error.field == "files" else error.field
            form.add_error(field if field in form.fields else None, error.message)
        else:
            late = "（逾期报送）" if version.filing.late else ""
            messages.success(request, f"已报送{requirement.title}第{version.number}版{late}。")
            return redirect(history)
    return render(request, "console/campaigns/filing_form.html", {
        "form": form, "requirement": requirement, "unit": unit, "period": day, "due": due,
        "filing": filing, "campaign": requirement.phase.campaign, "history": history,
        "month": period_label(day, requirement.is_monthly),
        "late_now": filing is None and timezone.localdate() > due,
    }, status=400 if form.errors else 200)


@login_required
def filing_history(request, requirement, unit, period):
    requirement, unit, day, due, filing = _filing_target(request, requirement, unit, period)
    versions = []
    if filing is not None:
        versions = list(FilingVersion.objects.filter(filing=filing)
                        .select_related("filed_by__staff").prefetch_related("attachments")
                        .order_by("-number"))
    return render(request, "console/campaigns/filing_history.html", {
        "requirement": requirement, "unit": unit, "period": day, "due": due,
        "filing": filing, "versions": versions, "campaign": requirement.phase.campaign,
        "month": period_label(day, requirement.is_monthly),
        "is_plan": requirement.kind == RequirementKind.PLAN,
        "plan_fields": [(name, label) for name, (label, _limit) in actions.PLAN_FIELDS.items()],
        "can_file": actions.may_file(request.user, unit),
        "reminder": requirement.reminders.filter(unit=unit, period=day).first(),
    })


@login_required
def filing_attachment(request, pk):
    """An attachment of a filing, for those who may see the unit's filings (else 404)."""
    attachment = FilingAttachment.objects.select_related("version__filing__unit") \
        .filter(pk=pk).first()
    if attachment is None or not access.can(request.user, "plan.view",
                                            attachment.version.filing.unit):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.name, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
