"""The console's bulletins (通报, issue #13): the list, the generate form (kind and period,
by default last week, last month or a phase of the current campaign), a bulletin's page
(the worker's progress bar, the draft's download, the office's edited copy, the buttons of
``bulletins.catalogue``: issue, generate again, public or not) and the templates page
(upload, activate, download the shipped default). Each view: permission → validate →
action or query → render. Design: docs/supervision.md section 3."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bulletins import actions, periods
from bulletins import render as documents
from bulletins.catalogue import CATALOGUE
from bulletins.models import Bulletin, BulletinTemplate, Kind
from lib.errors import ActionError
from lib.forms import Bootstrap

PAGE_SIZE = 30
DOCX = documents.DOCX
DATE = {"input_formats": ["%Y-%m-%d"],
        "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _view(user) -> None:
    if not actions.may_view(user):
        raise PermissionDenied


def _manage(user) -> None:
    if not actions.may_manage(user):
        raise PermissionDenied


def _bulletin(user, pk) -> Bulletin:
    _view(user)
    return get_object_or_404(Bulletin.objects.select_related(
        "phase", "template", "created_by__staff", "generated_by__staff", "edited_by__staff",
        "issued_by__staff"), pk=pk)


def _attach_error(form, error: ActionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _docx_response(handle, name: str) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=DOCX)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- forms ---------------------------------------------------------------------------------
class BulletinForm(Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("通报类型"), choices=Kind.choices)
    phase = forms.ChoiceField(label=_("阶段"), required=False,
                              help_text=_("阶段通报选择当前活动的阶段。"))
    period_start = forms.DateField(label=_("统计起始日期"), required=False, **DATE)
    period_end = forms.DateField(label=_("统计截止日期"), required=False, **DATE,
                                 help_text=_("留空则按类型取默认：周报为上周（周一至周日），"
                                             "月报为上月，阶段通报为所选阶段（至今天）。"))
    title = forms.CharField(label=_("标题"), max_length=200, required=False,
                            help_text=_("留空则按类型和统计期自动拟定。"))

    def __init__(self, *args, phases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.phases = {str(phase.pk): phase for phase in phases}
        self.fields["phase"].choices = [("", "—"), *(
            (str(phase.pk), f"{phase.campaign.name} · {phase.name}（{phase.starts_on:%Y-%m-%d}"
                            f" 至 {phase.ends_on:%Y-%m-%d}）") for phase in phases)]

    def clean_phase(self):
        value = self.cleaned_data.get("phase")
        return self.phases.get(value) if value else None


class EditedForm(Bootstrap, forms.Form):
    file = forms.FileField(label=_("修改稿（.docx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".docx"}))


class TemplateForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("模板名称"), max_length=100)
    file = forms.FileField(label=_("模板文件（.docx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".docx"}))
    activate = forms.BooleanField(label=_("上传后启用"), required=False, initial=True)


# --- the list ------------------------------------------------------------------------------
@login_required
def bulletin_list(request):
    _view(request.user)
    page = Paginator(Bulletin.objects.only(
        "pk", "kind", "number", "title", "period_start", "period_end", "state", "public",
        "generation", "progress", "created_at", "issued_at", "year", "sequence"),
        PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/bulletins/list.html", {
        "page": page, "can_manage": actions.may_manage(request.user)})


@login_required
def bulletin_create(request):
    _manage(request.user)
    today = timezone.localdate()
    choices = periods.phases()
    if request.method == "POST":
        form = BulletinForm(request.POST, phases=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                bulletin = actions.create(request.user, data["kind"], data["period_start"],
                                          data["period_end"], data["title"], data["phase"])
            except ActionError as error:
                _attach_error(form, error)
            else:
                messages.success(request,
                                 _t("已开始生成%(number)s。") % {"number": bulletin.number})
                return redirect("console:bulletin", pk=bulletin.pk)
        return render(request, "console/bulletins/form.html", {"form": form}, status=400)
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.WEEKLY
    phase = periods.current_phase(today, choices) if kind == Kind.PHASE else None
    start, end = periods.default_period(kind, today, phase) or (None, None)
    form = BulletinForm(phases=choices, initial={
        "kind": kind, "phase": str(phase.pk) if phase else "", "period_start": start,
        "period_end": end})
    return render(request, "console/bulletins/form.html", {
        "form": form, "kind": kind, "kinds": Kind.choices,
        "default_title": periods.default_title(kind, start, end, phase) if start else ""})


# --- one bulletin --------------------------------------------------------------------------
def _detail(request, bulletin, status=200, **extra):
    can_manage = actions.may_manage(request.user)
    errors = extra.get("errors", {})
    panels = [{"name": transition.name, "label": transition.label, "help": transition.help,
               "error": errors.get(transition.name)}
              for transition in CATALOGUE.available(request.user, bulletin)]
    shown = {panel["name"] for panel in panels}
    return render(request, "console/bulletins/detail.html", {
        "bulletin": bulletin, "panels": panels, "can_manage": can_manage,
        # a refusal of an action no longer offered (issued meanwhile, say)
        "stray_errors": [message for name, message in errors.items() if name not in shown],
        "edited_form": extra.get("edited_form") or (
            EditedForm() if can_manage and bulletin.state == "draft" else None),
    }, status=status)


@login_required
def bulletin_detail(request, pk):
    return _detail(request, _bulletin(request.user, pk))


@login_required
def bulletin_progress(request, pk):
    bulletin = _bulletin(request.user, pk)
    response = render(request, "console/bulletins/_progress.html", {"bulletin": bulletin})
    if not bulletin.working:
        response["HX-Refresh"] = "true"  # the page again, with its download and buttons
    return response


@login_required
def bulletin_file(request, pk, which):
    bulletin = _bulletin(request.user, pk)
    if which == "generated":
        field, name = bulletin.generated_file, bulletin.download_name
    elif which == "edited":
        field, name = bulletin.edited_file, f"{bulletin.number}{bulletin.title}（修改稿）.docx"
    else:
        raise Http404
    if not field:
        raise Http404
    return _docx_response(field.open("rb"), name)


@login_required
@require_POST
def bulletin_upload(request, pk):
    bulletin = _bulletin(request.user, pk)
    _manage(request.user)
    form = EditedForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.upload_edited(request.user, bulletin, form.cleaned_data["file"])
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, _t("已上传修改稿，印发时以修改稿为准。"))
            return redirect("console:bulletin", pk=bulletin.pk)
    return _detail(request, bulletin, status=400, edited_form=form)


@login_required
@require_POST
def bulletin_act(request, pk, name):
    bulletin = _bulletin(request.user, pk)
    if name not in CATALOGUE or "console" not in CATALOGUE[name].surfaces:
        raise Http404
    if not CATALOGUE[name].allowed(request.user, bulletin):
        raise PermissionDenied
    try:
        CATALOGUE.run(name, request.user, bulletin, {})
    except ActionError as error:
        return _detail(request, _bulletin(request.user, pk), status=400,
                       errors={name: error.message})
    messages.success(request, _t("已%(action)s。") % {"action": CATALOGUE[name].label})
    return redirect("console:bulletin", pk=bulletin.pk)


# --- templates -----------------------------------------------------------------------------
@login_required
def bulletin_templates(request):
    _manage(request.user)
    form = TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = actions.upload_template(request.user, data["name"], data["file"],
                                               activate=data["activate"])
        except ActionError as error:
            _attach_error(form, error)
        else:
            text = _t("已上传模板“%(name)s”并启用。") if template.active else \
                _t("已上传模板“%(name)s”。")
            messages.success(request, text % {"name": template.name})
            return redirect("console:bulletin_templates")
    return render(request, "console/bulletins/templates.html", {
        "form": form, "templates": BulletinTemplate.objects.select_related(
            "uploaded_by__staff"),
        "active": actions.active_template()}, status=400 if form.errors else 200)


@login_required
@require_POST
def bulletin_template_use(request):
    _manage(request.user)
    chosen = request.POST.get("template", "")
    try:
        if chosen:
            template = get_object_or_404(BulletinTemplate, pk=chosen) if chosen.isdigit() \
                else None
            if template is None:
                raise Http404
            actions.activate_template(request.user, template)
            messages.success(request, _t("已启用模板“%(name)s”。") % {"name": template.name})
        else:
            actions.use_default_template(request.user)
            messages.success(request, _t("已改用默认模板。"))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("console:bulletin_templates")


@login_required
def bulletin_template_file(request, pk):
    _manage(request.user)
    template = get_object_or_404(BulletinTemplate, pk=pk)
    return _docx_response(template.file.open("rb"), template.original_name)


@login_required
def bulletin_template_default(request):
    _manage(request.user)
    return _docx_response(io.BytesIO(documents.default_template_bytes()), "通报模板（默认）.docx")
