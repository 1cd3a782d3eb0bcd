"""The console's commitments (承诺, issue #11): service commitments (亮承诺) and
rectification commitments (整改承诺) — the list with its filters, create (blank, or from a
demand with a negative evaluation), and the detail page whose actions (公示 / 确认兑现 /
撤销) are generated from ``projects.catalogue.COMMITMENT_CATALOGUE``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from demands.models import Demand
from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access
from org.models import Unit
from projects import commitments
from projects.catalogue import COMMITMENT_CATALOGUE as CATALOGUE
from projects.models import (
    Commitment,
    CommitmentKind,
    CommitmentSource,
    CommitmentState,
)

from .panels import respond as respond_panel
from .project_views import unit_choices

PAGE_SIZE = 50
C = CommitmentState
# Levels of a negative evaluation: a rectification commitment may follow (整改承诺).
NEGATIVE_LEVELS = (1, 2)


def overdue_q() -> Q:
    return Q(overdue_flag=True, state=C.OPEN)


class FilterForm(Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部类型")), *CommitmentKind.choices])
    unit = forms.ChoiceField(label=_("承诺单位"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态")), *C.choices])
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部单位")), *unit_choices()]


class CommitmentForm(Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CommitmentKind.choices,
                             widget=forms.RadioSelect)
    source = forms.ChoiceField(label=_("来源"), choices=CommitmentSource.choices)
    unit = forms.ChoiceField(label=_("承诺单位"))
    window = forms.CharField(label=_("窗口或岗位"), max_length=50, required=False)
    title = forms.CharField(label=_("承诺事项"), max_length=100)
    content = forms.CharField(label=_("承诺内容"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("办理时限、服务标准，或整改的具体措施。"))
    source_note = forms.CharField(label=_("问题来源说明"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    demand = forms.CharField(label=_("相关诉求编号"), max_length=20, required=False)
    deadline = forms.DateField(label=_("整改时限"), required=False, input_formats=["%Y-%m-%d"],
                               widget=forms.DateInput(attrs={"type": "date"},
                                                      format="%Y-%m-%d"),
                               help_text=_("整改承诺必填；服务承诺不填。"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择承诺单位")), *units]


def _units_for(user) -> list[tuple[str, str]]:
    """The units the user may make commitments for."""
    paths = access.scope(user, "commitment.edit")
    units = Unit.objects.filter(is_active=True).exclude(kind="branch").order_by("path")
    if not paths.everything:
        condition = Q(pk__in=[])
        for path in paths.paths:
            condition |= Q(path__startswith=path)
        units = units.filter(condition)
    return [(u.code, u.name) for u in units.only("code", "name")]


def _scope(user):
    return access.filter_for(user, "commitment.view", Commitment.objects.all())


@login_required
def commitment_list(request):
    if not access.can_anywhere(request.user, "commitment.view"):
        raise PermissionDenied
    form = FilterForm(request.GET or None)
    scoped = _scope(request.user)
    queryset = scoped
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["unit"]:
            unit = Unit.objects.filter(code=data["unit"]).first()
            if unit is not None:
                queryset = queryset.filter(unit__path__startswith=unit.path)
        if data["overdue"]:
            queryset = queryset.filter(overdue_q())
    counts = dict(scoped.order_by().values_list("state").annotate(n=Count("pk")))
    page = Paginator(queryset.select_related("unit", "owner__staff", "demand"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "console/commitments/list.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "state_counts": [(value, label, counts.get(value, 0)) for value, label in C.choices],
        "total": sum(counts.values()),
        "overdue_count": scoped.filter(overdue_q()).count(),
        "can_create": access.can_anywhere(request.user, "commitment.edit"),
    })


@login_required
def commitment_create(request):
    if not access.can_anywhere(request.user, "commitment.edit"):
        raise PermissionDenied
    units = _units_for(request.user)
    initial = {"kind": CommitmentKind.SERVICE, "source": CommitmentSource.UNIT}
    demand = None
    number = request.GET.get("demand", "").strip().upper()
    if number:  # from a demand's page: its negative evaluation calls for a rectification
        demand = access.filter_for(request.user, "demand.view", Demand.objects.select_related(
            "current_unit")).filter(number=number).first()
        if demand is not None:
            initial.update(kind=CommitmentKind.RECTIFICATION,
                           source=CommitmentSource.EVALUATION, demand=demand.number,
                           unit=demand.current_unit.code, title=f"{demand.title[:80]}整改",
                           source_note=f"诉求 {demand.number} 群众评价"
                                       f"“{demand.get_evaluation_level_display() or '不满意'}”")
    form = CommitmentForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitment = commitments.create(request.user, **data)
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已登记承诺“{commitment.title}”，待办公室公示。")
            return redirect("console:commitment", pk=commitment.pk)
    return render(request, "console/commitments/form.html", {"form": form, "demand": demand},
                  status=400 if form.errors else 200)


def _get(request, pk) -> Commitment:
    return access.get_for_user_or_404(
        request.user, "commitment.view",
        Commitment.objects.select_related("unit", "owner__staff", "demand",
                                          "created_by__staff"), pk=pk)


def _context(request, commitment, forms=None, errors=None):
    forms, errors = forms or {}, errors or {}
    available = [t.name for t in CATALOGUE.available(request.user, commitment)]
    panels = []
    for name in available:
        transition = CATALOGUE[name]
        form = forms.get(name) or (CATALOGUE.form_class(name)() if transition.inputs else None)
        panels.append({"name": name, "label": transition.label, "form": form,
                       "help": transition.help, "error": errors.get(name)})
    return {"commitment": commitment, "panels": panels,
            "stray_errors": [m for n, m in errors.items() if n not in available],
            "events": commitment.events.select_related("actor__staff")}


def _respond(request, commitment, status=200, **kwargs):
    return respond_panel(request, "commitments", _context(request, commitment, **kwargs), status)


@login_required
def commitment_detail(request, pk):
    return _respond(request, _get(request, pk))


@login_required
@require_POST
def commitment_act(request, pk, name):
    commitment = _get(request, pk)
    if name not in CATALOGUE:
        raise Http404
    transition = CATALOGUE[name]
    form = CATALOGUE.form_class(name)(request.POST) if transition.inputs else None
    errors = {}
    if form is None or form.is_valid():
        try:
            CATALOGUE.run(name, request.user, commitment, form.cleaned_data if form else {})
        except ActionError as error:
            if form is not None and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                errors[name] = error.message
        else:
            messages.success(request, f"已{transition.label}。")
            if not request.headers.get("HX-Request"):
                return redirect("console:commitment", pk=pk)
            return _respond(request, _get(request, pk))
    return _respond(request, _get(request, pk), status=400,
                    forms={name: form} if form else None, errors=errors)
