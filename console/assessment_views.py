"""考核 in the console (issue #13; design: docs/supervision.md section 2): schemes and their
indicators, assessments of a period (compute in the worker with a progress bar, the
ranking, publish, finalise, the .xlsx), a unit's score line by line with the records
behind each, adjustments with their evidence, objections filed by units and decided by the
office. Each view: permission → validate → action or read model → respond."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from assessment import actions, indicators
from assessment.catalogue import CATALOGUE, OBJECTION_CATALOGUE
from assessment.models import (
    Adjustment,
    AdjustmentFile,
    Assessment,
    AssessmentState,
    Objection,
    ObjectionFile,
    ObjectionState,
    PeriodKind,
    Rule,
    Scheme,
    Score,
    ScoreLine,
    WhenEmpty,
)
from campaigns.models import Campaign
from lib.errors import ActionError
from lib.forms import Bootstrap, MultipleFileField, MultipleFileInput
from org import access
from org.models import Unit, UnitKind

DOCUMENTS = ".pdf,.doc,.docx,.wps,.xls,.xlsx,.et,.ofd"


def _manage_or_403(request) -> None:
    if not actions.may_manage(request.user):
        raise PermissionDenied


def _viewer_or_403(request) -> None:
    if not access.can_anywhere(request.user, "assessment.view"):
        raise PermissionDenied


def _attach(form, error: ActionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- schemes ----------------------------------------------------------------------------
@login_required
def scheme_list(request):
    _manage_or_403(request)
    schemes = (Scheme.objects.select_related("campaign")
               .annotate(unit_count=Count("units", distinct=True),
                         assessment_count=Count("assessments", distinct=True))
               .prefetch_related(Prefetch("indicators", to_attr="indicator_list"))
               .order_by("-created_at", "-id"))
    return render(request, "console/assessment/schemes.html", {"schemes": schemes})


class SchemeForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=100,
                           help_text=_("如：“三满意”月度考核方案"))
    campaign = forms.ChoiceField(label=_("创建活动"), required=False)
    period_kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    max_score = forms.DecimalField(label=_("满分"), max_digits=6, decimal_places=2,
                                   initial=100, min_value=1, max_value=1000)
    units = forms.MultipleChoiceField(
        label=_("考核单位"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("不选则为所选创建活动的全部参加单位。"))
    description = forms.CharField(label=_("说明"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "—"), *(
            (c.code, c.name) for c in Campaign.objects.only("code", "name"))]
        self.fields["units"].choices = [
            (u.code, u.display_name) for u in Unit.objects.filter(is_active=True).exclude(
                kind__in=[UnitKind.BUREAU, UnitKind.BRANCH]).order_by("path")]


def _parse_steps(text: str) -> list[list]:
    """"95:100; 90:80" → [[95, 1], [90, 0.8]] (shares typed in percent)."""
    steps = []
    for part in text.replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        bits = part.replace("：", ":").split(":")
        if len(bits) != 2:
            raise forms.ValidationError(
                _("分档应写成“数值:得分比例%”，多档用分号隔开，如 95:100; 90:80。"))
        try:
            bound, share = Decimal(bits[0].strip()), Decimal(bits[1].strip().rstrip("%"))
        except ArithmeticError:
            raise forms.ValidationError(_("分档中的数值须为数字。")) from None
        steps.append([str(bound), str(share / 100)])
    return steps


class IndicatorForm(Bootstrap, forms.Form):
    key = forms.ChoiceField(label=_("指标"))
    label = forms.CharField(label=_("名称"), max_length=50, required=False,
                            help_text=_("留空用指标库名称"))
    weight = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=2, min_value=0)
    rule = forms.ChoiceField(label=_("计分规则"), choices=Rule.choices)
    floor = forms.DecimalField(label=_("底线"), required=False, max_digits=8, decimal_places=2)
    target = forms.DecimalField(label=_("目标"), required=False, max_digits=8, decimal_places=2)
    steps = forms.CharField(label=_("分档"), required=False, max_length=200,
                            help_text=_("如 95:100; 90:80; 80:50"))
    per_item = forms.DecimalField(label=_("每件扣分"), required=False, max_digits=6,
                                  decimal_places=2)
    cap = forms.DecimalField(label=_("最多扣分"), required=False, max_digits=6, decimal_places=2)
    when_empty = forms.ChoiceField(label=_("无数据时"), choices=WhenEmpty.choices,
                                   initial=WhenEmpty.SKIP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", "—"), *indicators.choices()]

    def has_changed(self):
        """A blank row is one without an indicator chosen (its selects always submit a
        value, so Django's comparison with the initial values would call it changed)."""
        return bool(self["key"].value())

    def clean_steps(self):
        return _parse_steps(self.cleaned_data.get("steps") or "")

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get("key"):
            return None
        params = {"linear": {"floor": data.get("floor"), "target": data.get("target")},
                  "threshold": {"steps": data.get("steps")},
                  "deduct": {"per_item": data.get("per_item"), "cap": data.get("cap")},
                  }.get(data["rule"], {})
        return {"key": data["key"], "label": data.get("label"), "weight": data["weight"],
                "rule": data["rule"], "params": params, "when_empty": data["when_empty"]}


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2, can_delete=True, max_num=30)


def _indicator_initial(indicator) -> dict:
    params = indicator.params or {}
    steps = "; ".join(f"{scoring_number(bound)}:{scoring_number(Decimal(str(share)) * 100)}"
                      for bound, share in params.get("steps", []))
    return {"key": indicator.key, "label": indicator.label, "weight": indicator.weight,
            "rule": indicator.rule, "floor": params.get("floor"), "target": params.get("target"),
            "steps": steps, "per_item": params.get("per_item"), "cap": params.get("cap"),
            "when_empty": indicator.when_empty}


def scoring_number(value) -> str:
    from assessment.scoring import number

    return number(Decimal(str(value)))


def _scheme_form(request, scheme: Scheme | None):
    if scheme is not None:
        initial = {"name": scheme.name, "campaign": scheme.campaign.code if scheme.campaign
                   else "", "period_kind": scheme.period_kind, "max_score": scheme.max_score,
                   "units": [u.code for u in scheme.units.all()],
                   "description": scheme.description}
        rows = [_indicator_initial(i) for i in scheme.indicators.order_by("sort_order", "id")]
    else:
        initial, rows = {"max_score": 100, "period_kind": PeriodKind.MONTH}, []
    form = SchemeForm(request.POST or None, initial=initial)
    formset = IndicatorFormSet(request.POST or None, initial=rows, prefix="ind")
    stray = []
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = actions.save_scheme(request.user, data,
                                        [f.row() for f in formset.forms if f.row()],
                                        units=data.pop("units"), scheme=scheme)
        except ActionError as error:
            if error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                stray.append(error.message)
        else:
            messages.success(request, _t("已保存考核方案“%(name)s”。") % {"name": saved.name})
            return redirect("console:assessment_schemes")
    return render(request, "console/assessment/scheme_form.html", {
        "form": form, "formset": formset, "scheme": scheme, "stray_errors": stray,
        "definitions": [(kind.label, kind.definition) for kind in
                        indicators.REGISTRY.values()],
    }, status=400 if request.method == "POST" else 200)


@login_required
def scheme_create(request):
    _manage_or_403(request)
    return _scheme_form(request, None)


@login_required
def scheme_edit(request, pk):
    _manage_or_403(request)
    return _scheme_form(request, get_object_or_404(Scheme, pk=pk))


# --- assessments --------------------------------------------------------------------------
def _visible_assessments(user):
    found = Assessment.objects.select_related("scheme")
    if not actions.may_manage(user):
        found = found.exclude(state=AssessmentState.DRAFT)
    return found


@login_required
def assessment_list(request):
    _viewer_or_403(request)
    assessments = list(_visible_assessments(request.user)
                       .annotate(unit_count=Count("scores", distinct=True),
                                 pending=Count("objections", distinct=True,
                                               filter=Q(objections__state="pending")))
                       .order_by("-ends_on", "-id")[:200])
    mine = {}
    if not access.scope(request.user, "assessment.view").everything:
        for score in access.filter_for(request.user, "assessment.view", Score.objects.filter(
                assessment__in=assessments)).select_related("unit").order_by("unit__path"):
            mine.setdefault(score.assessment_id, []).append(score)
    for assessment in assessments:
        assessment.mine = mine.get(assessment.pk, [])
    return render(request, "console/assessment/list.html", {
        "assessments": assessments, "can_manage": actions.may_manage(request.user),
        "bureau_wide": access.scope(request.user, "assessment.view").everything})


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class AssessmentForm(Bootstrap, forms.Form):
    scheme = forms.ModelChoiceField(label=_("考核方案"), queryset=Scheme.objects.none())
    starts_on = forms.DateField(label=_("起始日期"), input_formats=["%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("截止日期"), input_formats=["%Y-%m-%d"],
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    title = forms.CharField(label=_("名称"), max_length=100, required=False,
                            help_text=_("留空自动生成，如“2026年11月考核”"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.order_by("-created_at")


@login_required
def assessment_create(request):
    _manage_or_403(request)
    first, last = _last_month(timezone.localdate())
    scheme = Scheme.objects.order_by("-created_at").first()
    form = AssessmentForm(request.POST or None, initial={
        "starts_on": first, "ends_on": last, "scheme": scheme})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = actions.create_assessment(request.user, data["scheme"],
                                                   data["starts_on"], data["ends_on"],
                                                   data["title"])
        except ActionError as error:
            _attach(form, error)
        else:
            messages.success(request, _t("已创建“%(title)s”，请计算得分。")
                             % {"title": assessment.title})
            return redirect(assessment)
    return render(request, "console/assessment/create.html", {"form": form},
                  status=400 if form.errors else 200)


def _assessment(request, pk) -> Assessment:
    assessment = Assessment.objects.select_related("scheme", "scheme__campaign").filter(
        pk=pk).first()
    if assessment is None or not actions.may_see(request.user, assessment):
        raise Http404
    return assessment


def _ranking(request, assessment: Assessment):
    """The scores the user may see with their lines, best first; one query each."""
    scores = access.filter_for(request.user, "assessment.view",
                               Score.objects.filter(assessment=assessment))
    scores = list(scores.select_related("unit").prefetch_related(
        Prefetch("lines", queryset=ScoreLine.objects.order_by("sort_order", "id"),
                 to_attr="line_list")).order_by("rank", "unit__path"))
    scores.sort(key=lambda s: (s.rank is None, s.rank or 0, s.unit.path))
    columns = list(assessment.scheme.indicators.order_by("sort_order", "id"))
    for score in scores:
        by_indicator = {line.indicator_id: line for line in score.line_list
                        if line.adjustment_id is None}
        score.cells = [by_indicator.get(indicator.pk) for indicator in columns]
        score.adjusted = sum((line.points for line in score.line_list
                              if line.adjustment_id is not None), Decimal(0))
    return scores, columns


def _assessment_context(request, assessment: Assessment, forms=None, errors=None):
    scores, columns = _ranking(request, assessment)
    manage = actions.may_manage(request.user)
    panels = []
    for transition in CATALOGUE.available(request.user, assessment):
        panels.append({"name": transition.name, "label": transition.label,
                       "help": transition.help, "error": (errors or {}).get(transition.name)})
    return {
        "assessment": assessment, "scores": scores, "columns": columns, "panels": panels,
        "can_manage": manage, "stale": manage and assessment.computed_at is not None
        and actions.stale(assessment),
        "pending": assessment.objections.filter(state=ObjectionState.PENDING).count()
        if manage or actions.may_decide(request.user) else None,
        "unit_count": assessment.scheme.units.count(),
        "stray_errors": [m for n, m in (errors or {}).items()
                         if n not in {p["name"] for p in panels}],
    }


@login_required
def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    return render(request, "console/assessment/detail.html",
                  _assessment_context(request, assessment))


@login_required
def assessment_progress(request, pk):
    assessment = _assessment(request, pk)
    response = render(request, "console/assessment/_progress.html",
                      {"assessment": assessment})
    if request.headers.get("HX-Request") and not assessment.computing \
            and request.GET.get("was") == "computing":
        response["HX-Refresh"] = "true"  # the ranking below changed: show it
    return response


@login_required
@require_POST
def assessment_act(request, pk, name):
    assessment = _assessment(request, pk)
    if name not in CATALOGUE:
        raise Http404
    try:
        CATALOGUE.run(name, request.user, assessment, {})
    except ActionError as error:
        return render(request, "console/assessment/detail.html", _assessment_context(
            request, _assessment(request, pk), errors={name: error.message}), status=400)
    done = {"compute": _t("已提交计算，完成后排名自动显示。"),
            "publish": _t("已公布考核结果，各单位可查看并申诉。"),
            "finalise": _t("考核已定稿。")}
    messages.success(request, done.get(name, CATALOGUE[name].label))
    return redirect("console:assessment", pk=pk)


def _safe(value):
    """A cell never starts a formula (=, +, -, @): the sheet is opened by others."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@login_required
def assessment_export(request, pk):
    assessment = _assessment(request, pk)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    scores, columns = _ranking(request, assessment)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("考核排名")
    header = ["名次", "单位", *[f"{c.label}（{scoring_number(c.weight)}分）" for c in columns],
              "加减分", "总分", "参评指标数"]
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 28 if index == 2 else 14
    title = WriteOnlyCell(sheet, value=f"{assessment.title}（{assessment.starts_on:%Y-%m-%d} 至 "
                                       f"{assessment.ends_on:%Y-%m-%d}，"
                                       f"{assessment.get_state_display()}）")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    for score in scores:
        sheet.append([score.rank if score.rank is not None else "未参评",
                      _safe(score.unit.name),
                      *[float(line.points) if line and line.assessed else "不参评"
                        for line in score.cells],
                      float(score.adjusted), float(score.total), score.assessed])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{assessment.title}-排名.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")


# --- a unit's score ---------------------------------------------------------------------
class ObjectionForm(Bootstrap, forms.Form):
    text = forms.CharField(label=_("申诉理由"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("写明哪些记录有误、应如何计算，并附上依据。"))
    files = MultipleFileField(label=_("依据材料"), required=False, widget=MultipleFileInput(
        attrs={"class": "form-control", "accept": DOCUMENTS}),
        help_text=_("PDF、Word、Excel、WPS 或 OFD，最多 5 个"))


def _score(request, pk, unit_id) -> Score:
    assessment = _assessment(request, pk)
    score = access.filter_for(request.user, "assessment.view", Score.objects.filter(
        assessment=assessment, unit_id=unit_id)).select_related("unit").first()
    if score is None:
        raise Http404
    score.assessment = assessment
    return score


def _score_page(request, score: Score, form_line: int | None = None, form=None, status=200):
    from assessment.queries import breakdown

    lines = breakdown(score)
    objections = {}
    for objection in Objection.objects.filter(line__in=lines).select_related(
            "filed_by__staff", "decided_by__staff").order_by("filed_at"):
        objections.setdefault(objection.line_id, []).append(objection)
    may_object = score.assessment.state == AssessmentState.PUBLISHED and access.can(
        request.user, "objection.file", score)
    for line in lines:
        line.objection_list = objections.get(line.pk, [])
        line.open_objection = any(o.state == ObjectionState.PENDING
                                  for o in line.objection_list)
        line.form = form if form_line == line.pk else (ObjectionForm(prefix=f"o{line.pk}")
                                                       if may_object else None)
    total_units = Score.objects.filter(assessment=score.assessment,
                                       rank__isnull=False).count()
    return render(request, "console/assessment/score.html", {
        "score": score, "assessment": score.assessment, "lines": lines,
        "may_object": may_object, "ranked": total_units,
        "can_manage": actions.may_manage(request.user)}, status=status)


@login_required
def score_detail(request, pk, unit_id):
    return _score_page(request, _score(request, pk, unit_id))


@login_required
@require_POST
def objection_create(request, pk, unit_id, line_id):
    score = _score(request, pk, unit_id)
    line = ScoreLine.objects.filter(pk=line_id, score=score).first()
    if line is None:
        raise Http404
    form = ObjectionForm(request.POST, request.FILES, prefix=f"o{line.pk}")
    if form.is_valid():
        try:
            actions.file_objection(request.user, line, form.cleaned_data["text"],
                                   form.cleaned_data["files"])
        except ActionError as error:
            form.add_error("files" if error.field == "files" else
                           ("text" if error.field == "text" else None), error.message)
        else:
            messages.success(request, _t("已提交申诉，请等待办公室处理。"))
            return redirect(f"{score.get_absolute_url()}#line-{line.pk}")
    return _score_page(request, score, line.pk, form, status=400)


# --- adjustments ------------------------------------------------------------------------
class AdjustmentForm(Bootstrap, forms.Form):
    unit = forms.ChoiceField(label=_("单位"))
    points = forms.DecimalField(label=_("加减分"), max_digits=6, decimal_places=2,
                                help_text=_("扣分填负数，如 -2；加分填正数"))
    reason = forms.CharField(label=_("理由"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("依据材料"), required=False, widget=MultipleFileInput(
        attrs={"class": "form-control", "accept": DOCUMENTS}),
        help_text=_("PDF、Word、Excel、WPS 或 OFD，最多 5 个"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *((u.code, u.display_name) for u in units)]


@login_required
def adjustment_list(request, pk):
    assessment = _assessment(request, pk)
    manage = actions.may_manage(request.user)
    units = list(assessment.scheme.units.order_by("path"))
    form = None
    if manage and assessment.state != AssessmentState.FINAL:
        form = AdjustmentForm(request.POST or None, request.FILES or None, units=units,
                              initial={"unit": request.GET.get("unit", "")})
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.add_adjustment(request.user, assessment, data["unit"], data["points"],
                                       data["reason"], data["files"])
            except ActionError as error:
                _attach(form, error)
            else:
                messages.success(request, _t("已录入加减分，重新计算后计入得分。"))
                return redirect("console:assessment_adjustments", pk=pk)
    adjustments = access.filter_for(request.user, "assessment.view", Adjustment.objects.filter(
        assessment=assessment)).select_related("unit", "entered_by__staff", "objection") \
        .prefetch_related("files").order_by("unit__path", "entered_at", "id")
    return render(request, "console/assessment/adjustments.html", {
        "assessment": assessment, "adjustments": adjustments, "form": form},
        status=400 if form is not None and form.errors else 200)


@login_required
def adjustment_file(request, pk):
    document = AdjustmentFile.objects.select_related("adjustment__unit",
                                                     "adjustment__assessment").filter(pk=pk).first()
    if document is None or not access.can(request.user, "assessment.view", document.adjustment) \
            or not actions.may_see(request.user, document.adjustment.assessment):
        raise Http404
    return _download(document)


def _download(document):
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=document.name, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- objections ---------------------------------------------------------------------------
def _may_list_objections(user) -> bool:
    return actions.may_decide(user) or access.can_anywhere(user, "objection.file") \
        or actions.may_manage(user)


STATE_FILTERS = [("", _("全部")), *ObjectionState.choices]


@login_required
def objection_list(request):
    if not _may_list_objections(request.user):
        raise PermissionDenied
    state = request.GET.get("state", ObjectionState.PENDING)
    if state not in dict(STATE_FILTERS):
        state = ObjectionState.PENDING
    scoped = access.filter_for(request.user, "assessment.view", Objection.objects.all())
    counts = dict(scoped.order_by().values_list("state").annotate(n=Count("pk")))
    found = scoped.filter(state=state) if state else scoped
    found = list(found.select_related("assessment", "unit", "line", "filed_by__staff",
                                      "decided_by__staff", "adjustment")
                 .prefetch_related("files").order_by("-filed_at", "-id")[:200])
    decide = actions.may_decide(request.user)
    for objection in found:
        objection.panels = []
        if decide:
            for transition in OBJECTION_CATALOGUE.available(request.user, objection):
                objection.panels.append({
                    "name": transition.name, "label": transition.label, "help": transition.help,
                    "form": OBJECTION_CATALOGUE.form_class(transition.name)(
                        prefix=f"{transition.name}{objection.pk}")})
    return render(request, "console/assessment/objections.html", {
        "objections": found, "state": state,
        "filters": [(value, label, counts.get(value, 0) if value else sum(counts.values()))
                    for value, label in STATE_FILTERS]})


@login_required
@require_POST
def objection_act(request, pk, name):
    objection = access.get_for_user_or_404(request.user, "assessment.view",
                                           Objection.objects.select_related("assessment"), pk=pk)
    if name not in OBJECTION_CATALOGUE:
        raise Http404
    form = OBJECTION_CATALOGUE.form_class(name)(request.POST, prefix=f"{name}{objection.pk}")
    if form.is_valid():
        try:
            OBJECTION_CATALOGUE.run(name, request.user, objection, form.cleaned_data)
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _t("申诉已%(label)s；重新计算后排名随之更新。")
                             % {"label": OBJECTION_CATALOGUE[name].label}
                             if name == "accept" else _t("已不予采纳，并告知申诉单位。"))
            return redirect(f"{_objections_url()}?state={objection.state}")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{_objections_url()}#objection-{objection.pk}")


def _objections_url() -> str:
    from django.urls import reverse

    return reverse("console:objections")


@login_required
def objection_file(request, pk):
    document = ObjectionFile.objects.select_related("objection__unit").filter(pk=pk).first()
    if document is None or not access.can(request.user, "assessment.view", document.objection):
        raise Http404
    return _download(document)

