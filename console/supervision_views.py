"""The console's supervision orders (督查督办单, issue #13): the list with its filters, the
issue form (a demand, the overdue demands of a category at a unit, a practical project, a
target behind pace, a commitment, or an inspection finding with photos), and the order's
page, whose actions (反馈 / 办结 / 退回 / 转为整改承诺 / 撤销) are generated from
``supervision.catalogue``. Design: docs/supervision.md, section 1."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from activities import progress
from activities.models import Target
from catalog.models import Category
from catalog.queries import leaf_categories
from demands.models import Demand
from lib.errors import ActionError
from lib.forms import Bootstrap, MultipleFileField, MultipleFileInput
from org import access
from org.models import Unit
from projects.models import ACTIVE_STATES, Commitment, CommitmentState, Project, ProjectState
from supervision import actions, clock, queries
from supervision.catalogue import CATALOGUE
from supervision.models import OrderState, SubjectKind, SupervisionOrder

from .panels import respond as respond_panel
from .project_views import unit_choices

PAGE_SIZE = 50
S = OrderState
K = SubjectKind
AWAITING = "awaiting"  # the list's pseudo-state: issued or returned (the unit owes an answer)


# --- the list --------------------------------------------------------------------------------
class FilterForm(Bootstrap, forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部状态")), (AWAITING, _("待反馈（已下达或退回）")), *S.choices])
    unit = forms.ChoiceField(label=_("被督办单位"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期未反馈"), required=False)
    due_from = forms.DateField(label=_("反馈期限从"), required=False, input_formats=["%Y-%m-%d"],
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due_to = forms.DateField(label=_("至"), required=False, input_formats=["%Y-%m-%d"],
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # the orders an assessment line counts (督办按时反馈率): due in the period, not
    # cancelled, answered or past the deadline (supervision.queries.judged)
    judged = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部单位")), *unit_choices()]

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            raise forms.ValidationError(_("反馈期限的起始日期不能晚于截止日期。"))
        if data.get("judged") and not (data.get("due_from") and data.get("due_to")):
            raise forms.ValidationError(_("统计口径缺少起止日期。"))
        return data


def _scope(user):
    return access.filter_for(user, "order.view", SupervisionOrder.objects.all())


@login_required
def order_list(request):
    if not access.can_anywhere(request.user, "order.view"):
        raise PermissionDenied
    now = timezone.now()
    form = FilterForm(request.GET or None)
    scoped = _scope(request.user)
    queryset = scoped
    if form.is_valid():
        data = form.cleaned_data
        if data["state"] == AWAITING:
            queryset = queryset.awaiting()
        elif data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["unit"]:
            unit = Unit.objects.filter(code=data["unit"]).first()
            if unit is not None:
                queryset = queryset.filter(unit__path__startswith=unit.path)
        if data["overdue"]:
            queryset = queryset.overdue(now)
        first = data["due_from"] or dt.date(2000, 1, 1)
        after = (data["due_to"] or dt.date(2100, 1, 1)) + dt.timedelta(days=1)
        if data["judged"]:
            queryset = queries.judged(queryset, first, after, now)
        elif data["due_from"] or data["due_to"]:
            queryset = queries.due_between(queryset, first, after)
    counts = dict(scoped.order_by().values_list("state").annotate(n=Count("pk")))
    page = Paginator(queryset.select_related("unit"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    for order in page:
        order.late = order.is_overdue(now)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "console/supervision/list.html", {
        "form": form, "page": page, "query": params.urlencode(), "counts": counts,
        "state_counts": [(value, label, counts.get(value, 0)) for value, label in S.choices],
        "total": sum(counts.values()),
        "overdue_count": scoped.overdue(now).count(),
        "can_issue": access.can_anywhere(request.user, "order.issue"),
    })


# --- issuing ---------------------------------------------------------------------------------
def category_choices() -> list:
    """A whole top category, or one of its leaves."""
    tops = [(c.code, f"{c.name}（全部小类）") for c in Category.objects.filter(
        is_active=True, parent__isnull=True).order_by("sort_order", "id")]
    choices = leaf_categories()
    return [choices[0], (_("大类"), tops), *choices[1:]]


def project_choices(user) -> list[tuple[str, str]]:
    projects = access.filter_for(user, "project.view", Project.objects.filter(
        state__in=(ProjectState.DRAFT, *ACTIVE_STATES))).select_related("responsible_unit")
    return [(str(p.pk), f"{p.title}（{p.get_state_display()}"
             f"{' · ' + p.responsible_unit.display_name if p.responsible_unit else ''}）")
            for p in projects.order_by("deadline", "pk")]


def commitment_choices(user) -> list[tuple[str, str]]:
    found = access.filter_for(user, "commitment.view", Commitment.objects.filter(
        state__in=(CommitmentState.DRAFT, CommitmentState.OPEN))).select_related("unit")
    return [(str(c.pk), f"{c.title}（{c.get_kind_display()} · {c.unit.display_name}"
             f"{' · 逾期' if c.overdue_flag else ''}）")
            for c in found.order_by("unit__path", "pk")]


def behind_rows() -> dict[str, progress.Row]:
    """The rows behind pace of the campaign running today, keyed ``"<target>:<assignee>"``
    (only those with a unit to address an order to)."""
    today = timezone.localdate()
    campaign = progress.running(today)
    if campaign is None:
        return {}
    targets = Target.objects.filter(campaign=campaign).order_by("kind", "id")
    return {f"{row.target.pk}:{row.assignee.key}": row
            for row in progress.rows(targets, today)
            if row.behind and row.assignee.unit_id is not None}


def behind_criteria(row: progress.Row) -> str:
    return (f"{row.assignee.name}：已完成 {row.done} 次，按序时应完成 {row.pace.required} 次"
            f"（目标 {row.target.count} 次）")


class IssueForm(Bootstrap, forms.Form):
    subject_kind = forms.ChoiceField(label=_("督办事项"), choices=K.choices,
                                     widget=forms.RadioSelect)
    demand = forms.CharField(label=_("诉求编号"), max_length=20, required=False)
    category = forms.ChoiceField(label=_("诉求类别"), required=False,
                                 help_text=_("该单位当前超过承诺时限的该类诉求将一并督办。"))
    project = forms.ChoiceField(label=_("实事项目"), required=False)
    target_row = forms.ChoiceField(label=_("进度滞后的目标任务"), required=False)
    commitment = forms.ChoiceField(label=_("承诺"), required=False)
    finding = forms.CharField(label=_("检查发现的问题"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    finding_place = forms.CharField(label=_("检查地点"), max_length=200, required=False)
    photo_files = MultipleFileField(
        label=_("现场照片（最多 9 张）"), required=False,
        help_text=_("JPEG、PNG 或 WebP，每张不超过 10 MB；位置等拍摄信息会被去除"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    unit = forms.ChoiceField(label=_("被督办单位"), required=False,
                             help_text=_("督办诉求、实事项目、承诺或目标任务时可不选，"
                                         "默认为其责任单位。"))
    title = forms.CharField(label=_("标题"), max_length=100)
    requirement = forms.CharField(label=_("督办要求"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("要求被督办单位反馈什么、做到什么程度。"))
    deadline = forms.DateTimeField(
        label=_("反馈期限"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("不填则为 3 个工作日后。"))

    def __init__(self, *args, user, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["project"].choices = [("", _("请选择实事项目")), *project_choices(user)]
        self.fields["commitment"].choices = [("", _("请选择承诺")), *commitment_choices(user)]
        self.fields["target_row"].choices = [("", _("请选择进度滞后的目标任务")), *[
            (key, f"{row.target.label} · {row.assignee.name}（{row.assignee.unit_name}）"
                  f"已完成 {row.done}/{row.target.count}，应完成 {row.pace.required}")
            for key, row in rows.items()]]
        self.fields["unit"].choices = [("", _("按督办事项确定")), *unit_choices()]


# where an action's refusal is shown on the form
ERROR_FIELDS = {"photos": "photo_files", "target": "target_row"}


def _subject_arguments(user, data: dict, rows: dict) -> dict:
    """The issue action's arguments for the chosen subject, from the form's fields."""
    kind = data["subject_kind"]
    if kind == K.DEMAND:
        return {"demands": [data["demand"]] if data["demand"].strip() else []}
    if kind == K.DEMANDS:
        if not data["unit"]:
            raise ActionError("invalid", "请选择被督办单位。", "unit")
        category = Category.objects.filter(code=data["category"]).first() \
            if data["category"] else None
        if category is None:
            raise ActionError("invalid", "请选择诉求类别。", "category")
        unit = Unit.objects.get(code=data["unit"])
        now = timezone.now()
        found = list(access.filter_for(user, "demand.view", Demand.objects.overdue(now))
                     .filter(Q(category=category) | Q(category__parent=category),
                             current_unit__path__startswith=unit.path)
                     .select_related("current_unit").order_by("deadline")
                     [:actions.MAX_DEMANDS + 1])
        if not found:
            raise ActionError("invalid", f"{unit.display_name}目前没有超期的{category.name}类诉求，"
                                         "没有符合条件的诉求，无需督办。", "category")
        return {"demands": found, "criteria": f"{category.name}类超期诉求 {len(found)} 件"
                                              f"（截至 {timezone.localtime(now):%Y-%m-%d %H:%M}）"}
    if kind == K.PROJECT:
        return {"project": data["project"] or None}
    if kind == K.COMMITMENT:
        return {"commitment": data["commitment"] or None}
    if kind == K.TARGET:
        row = rows.get(data["target_row"])
        if row is None:
            raise ActionError("invalid", "请选择进度滞后的目标任务。", "target_row")
        unit = Unit.objects.filter(pk=row.assignee.unit_id).first()
        return {"target": row.target, "criteria": behind_criteria(row),
                "unit": data["unit"] or unit}
    return {"finding": data["finding"], "finding_place": data["finding_place"],
            "photo_files": data["photo_files"]}


def _initial(request) -> dict:
    initial = {"subject_kind": request.GET.get("subject_kind") or K.DEMAND,
               "deadline": timezone.localtime(clock.default_deadline(timezone.now()))}
    number = request.GET.get("demand", "").strip().upper()
    if number:  # from a demand's page
        demand = access.filter_for(request.user, "demand.view", Demand.objects.select_related(
            "current_unit")).filter(number=number).first()
        if demand is not None:
            initial.update(subject_kind=K.DEMAND, demand=demand.number,
                           unit=demand.current_unit.code,
                           title=f"关于诉求 {demand.number} 办理情况的督办")
    return initial


@login_required
def order_issue(request):
    if not access.can_anywhere(request.user, "order.issue"):
        raise PermissionDenied
    rows = behind_rows()
    form = IssueForm(request.POST or None, request.FILES or None, initial=_initial(request),
                     user=request.user, rows=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            arguments = {"unit": data["unit"] or None,
                         **_subject_arguments(request.user, data, rows)}
            order = actions.issue(request.user, subject_kind=data["subject_kind"],
                                  title=data["title"], requirement=data["requirement"],
                                  deadline=data["deadline"], **arguments)
        except ActionError as error:
            field = ERROR_FIELDS.get(error.field, error.field)
            if field == "demands":
                field = "demand" if data["subject_kind"] == K.DEMAND else "category"
            if field == "criteria":
                field = None
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _t("已下达督查督办单 %(number)s，已通知%(unit)s。") % {
                "number": order.number, "unit": order.unit.name})
            return redirect(order)
    return render(request, "console/supervision/issue.html", {"form": form},
                  status=400 if form.errors else 200)


# --- one order ---------------------------------------------------------------------------------
def _get(request, number) -> SupervisionOrder:
    return access.get_for_user_or_404(
        request.user, "order.view",
        SupervisionOrder.objects.select_related(
            "unit", "issued_by__staff", "project", "target", "commitment", "rectification"),
        number=str(number).strip().upper())


def _action_form(name: str, data=None, files=None):
    if not CATALOGUE[name].inputs:
        return None
    return CATALOGUE.form_class(name)(data, files)


def _context(request, order, forms=None, errors=None):
    forms, errors = forms or {}, errors or {}
    available = [t.name for t in CATALOGUE.available(request.user, order)]
    panels = []
    for name in available:
        transition = CATALOGUE[name]
        panels.append({"name": name, "label": transition.label,
                       "form": forms.get(name) or _action_form(name),
                       "help": transition.help, "error": errors.get(name),
                       "multipart": any(i.kind in ("photos", "files") for i in transition.inputs)})
    now = timezone.now()
    answers = list(order.answers.select_related("answered_by__staff")
                   .prefetch_related("photos", "files"))
    for reply in answers:
        reply.late = reply.answered_at > order.deadline
    demands = order.demands.select_related("current_unit").order_by("deadline", "pk")
    return {
        "order": order, "panels": panels, "answers": answers,
        "stray_errors": [m for n, m in errors.items() if n not in available],
        "late": order.is_overdue(now),
        "finding_photos": order.photos.filter(answer=None),
        "demands": demands[:100], "demand_total": demands.count(),
        "events": order.events.select_related("actor__staff"),
    }


def _respond(request, order, status=200, **kwargs):
    return respond_panel(request, "supervision", _context(request, order, **kwargs), status)


@login_required
def order_detail(request, number):
    return _respond(request, _get(request, number))


@login_required
@require_POST
def order_act(request, number, name):
    order = _get(request, number)
    if name not in CATALOGUE or "console" not in CATALOGUE[name].surfaces:
        raise Http404
    transition = CATALOGUE[name]
    form = _action_form(name, request.POST, request.FILES)
    errors = {}
    if form is None or form.is_valid():
        try:
            CATALOGUE.run(name, request.user, order, form.cleaned_data if form else {})
        except ActionError as error:
            if form is not None and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                errors[name] = error.message
        else:
            messages.success(request, _t("已%(action)s。") % {"action": transition.label})
            if not request.headers.get("HX-Request"):
                return redirect("console:order", number=order.number)
            return _respond(request, _get(request, number))
    return _respond(request, _get(request, number), status=400,
                    forms={name: form} if form else None, errors=errors)


@login_required
def order_file(request, number, pk):
    """An answer's attachment, for those who may see the order."""
    order = _get(request, number)
    attachment = order.files.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.name, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
