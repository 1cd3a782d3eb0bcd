"""The console's paired enterprises (挂钩企业, issue #12): the list by pairing year, an
enterprise's page — register data, the year's pairings with cadres, plan and annual goals,
secondments, its demands (as far as the viewer may see them), its support actions and its
satisfaction over twelve months — and the forms of pairings, goals and secondments.

Who sees what (``enterprises.access``): the bureau-wide roles every enterprise; a unit the
enterprises it is paired with; a cadre the enterprises of their pairings in reach (their
year and the next); anyone else a 404. ``pairing.manage`` edits pairings and secondments,
``pairing.edit`` (also the paired unit's head) the goals. Each view: permission → validate
→ action or query → render. Design: docs/campaign.md."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from activities.models import Activity, ActivityKind
from activities.queries import visible as visible_activities
from demands import kpis
from demands.models import Demand, RequesterKind
from enterprises import actions, queries
from enterprises.models import Enterprise, Pairing, PairingGoal, Secondment
from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access
from org.models import StaffProfile, Unit, UnitKind

DEMANDS_SHOWN = 20
ACTIONS_SHOWN = 20


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _enterprise(request, pk) -> Enterprise:
    enterprise = queries.visible_enterprises(request.user).filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    return enterprise


def _pairing(request, pk, capability: str) -> Pairing:
    pairing = queries.visible_pairings(request.user, Pairing.objects.select_related(
        "enterprise", "unit")).filter(pk=pk).first()
    if pairing is None or not access.can(request.user, capability, pairing):
        raise Http404
    return pairing


def _may_manage(user) -> bool:
    return access.can_bureau_wide(user, "pairing.manage")


def _visible_demands(user):
    return access.filter_for(user, "demand.view", Demand.objects.filter(
        requester_kind=RequesterKind.ENTERPRISE, enterprise__isnull=False))


# --- the list -----------------------------------------------------------------------------
@login_required
def enterprise_list(request):
    if not queries.may_view_any(request.user):
        raise PermissionDenied
    year = _year(request)
    rows = queries.list_rows(request.user, year)
    ids = [enterprise.pk for enterprise in rows]
    demands = dict(_visible_demands(request.user).filter(
        enterprise_id__in=ids, submitted_at__year=year).order_by()
        .values_list("enterprise_id").annotate(n=Count("pk")))
    support = dict(Activity.objects.filter(
        kind=ActivityKind.SUPPORT, enterprise_id__in=ids, occurred_on__year=year).order_by()
        .values_list("enterprise_id").annotate(n=Count("pk")))
    for enterprise in rows:
        enterprise.demand_count = demands.get(enterprise.pk, 0)
        enterprise.support_count = support.get(enterprise.pk, 0)
    today = timezone.localdate()
    return render(request, "console/enterprises/list.html", {
        "rows": rows, "year": year,
        "years": list(range(today.year + 1, today.year - 5, -1)),
        "paired_ids": set(queries.paired_enterprise_ids(request.user)),
        "can_manage": _may_manage(request.user),
    })


# --- an enterprise's page -----------------------------------------------------------------
@login_required
def enterprise_detail(request, pk):
    enterprise = _enterprise(request, pk)
    user = request.user
    today = timezone.localdate()
    all_pairings = list(enterprise.pairings.select_related("unit").prefetch_related(
        "cadres__staff", "goals").order_by("-year", "unit__path"))
    years = sorted({p.year for p in all_pairings} | {today.year}, reverse=True)
    year = _year(request) if "year" in request.GET else today.year
    pairings = [p for p in all_pairings if p.year == year]
    for pairing in pairings:
        pairing.can_edit = access.can(user, "pairing.edit", pairing)
        pairing.can_manage = access.can(user, "pairing.manage", pairing)
    demands = _visible_demands(user).filter(enterprise=enterprise).select_related(
        "current_unit", "category").order_by("-submitted_at", "-id")
    support = list(Activity.objects.filter(kind=ActivityKind.SUPPORT, enterprise=enterprise)
                   .select_related("unit").prefetch_related("people__staff")
                   .order_by("-occurred_on", "-id")[:ACTIONS_SHOWN])
    shown = set(visible_activities(user, Activity.objects.filter(
        pk__in=[a.pk for a in support])).values_list("pk", flat=True)) if support else set()
    for action in support:
        action.visible = action.pk in shown
    series = kpis.monthly_satisfaction(Demand.objects.filter(
        enterprise=enterprise, requester_kind=RequesterKind.ENTERPRISE), today)
    goals = [goal for pairing in pairings for goal in pairing.goals.all()]
    return render(request, "console/enterprises/detail.html", {
        "enterprise": enterprise, "year": year, "years": years, "pairings": pairings,
        "goal_total": len(goals), "goal_done": sum(goal.done_on is not None for goal in goals),
        "secondments": enterprise.secondments.select_related("cadre__staff")
        .order_by("-starts_on", "-id"),
        "demands": list(demands[:DEMANDS_SHOWN]), "demand_count": demands.count(),
        "support": support,
        "support_count": Activity.objects.filter(kind=ActivityKind.SUPPORT,
                                                  enterprise=enterprise).count(),
        "series": series,
        "chart": {"months": [label for label, _ in series],
                  "rates": [rate.percent for _, rate in series]},
        "show_contact": queries.may_see_contact(user, enterprise, all_pairings),
        "can_manage": _may_manage(user),
        "is_cadre": enterprise.pk in queries.paired_enterprise_ids(user),
    })


# --- forms --------------------------------------------------------------------------------
def _staff_choices(queryset=None):
    staff = (queryset or StaffProfile.objects.filter(user__is_active=True)) \
        .select_related("unit").order_by("unit__path", "full_name")
    return [(str(p.user_id), f"{p.full_name}（{p.unit.display_name}）") for p in staff]


class PairingForm(Bootstrap, forms.Form):
    unit = forms.ChoiceField(label=_("挂钩单位"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    cadres = forms.MultipleChoiceField(
        label=_("挂钩干部"), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("可多选（电脑上按住 Ctrl）。挂钩干部在本年度和下一年度可查看该企业的诉求。"))
    plan = forms.CharField(label=_("帮办计划"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 5}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True).exclude(kind=UnitKind.BRANCH)
        condition = access.scope_q(user, "pairing.manage", Unit)
        if condition is not None:
            units = units.filter(condition)
        self.fields["unit"].choices = [("", "—"), *[(u.code, u.name) for u in
                                                     units.order_by("path")]]
        self.fields["cadres"].choices = _staff_choices()


class GoalForm(Bootstrap, forms.Form):
    title = forms.CharField(label=_("年度目标"), max_length=200)
    due_on = forms.DateField(label=_("完成时限"), required=False, input_formats=["%Y-%m-%d"],
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class CompleteForm(Bootstrap, forms.Form):
    done_on = forms.DateField(label=_("完成日期"), input_formats=["%Y-%m-%d"],
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    evidence = forms.CharField(label=_("完成情况（佐证材料）"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("写明做了什么、取得什么结果，以及佐证材料（会议纪要、"
                                           "批复文号、企业回执等）。"))


class SecondmentForm(Bootstrap, forms.Form):
    cadre = forms.ChoiceField(label=_("选派干部"))
    project_name = forms.CharField(label=_("重点项目"), max_length=100, required=False,
                                   help_text=_("派驻该企业的重点建设项目时填写项目名称。"))
    starts_on = forms.DateField(label=_("开始日期"), input_formats=["%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"type": "date"},
                                                       format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("结束日期"), required=False, input_formats=["%Y-%m-%d"],
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    duty = forms.CharField(label=_("工作职责"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [("", "—"), *_staff_choices()]


def _attach(form, error: ActionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _form_page(request, form, *, title, enterprise, action_label, status=200, extra=None):
    return render(request, "console/enterprises/form.html", {
        "form": form, "title": title, "enterprise": enterprise,
        "action_label": action_label, **(extra or {}),
    }, status=400 if form.errors else status)


def _back(enterprise: Enterprise, year: int | None = None):
    response = redirect("console:enterprise", pk=enterprise.pk)
    if year is not None:
        response["Location"] += f"?year={year}"
    return response


@login_required
def pairing_create(request, pk):
    enterprise = _enterprise(request, pk)
    if not access.can_anywhere(request.user, "pairing.manage"):
        raise Http404
    initial = {"year": _year(request)}
    form = PairingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_pairing(enterprise, Unit.objects.filter(code=data["unit"]).first(),
                                 data["year"], data["cadres"], data["plan"], request.user,
                                 note=data["note"])
        except ActionError as error:
            _attach(form, error)
        else:
            messages.success(request, _t("已添加挂钩帮办。"))
            return _back(enterprise, data["year"])
    return _form_page(request, form, title=_("新增挂钩帮办"), enterprise=enterprise,
                      action_label=_("保存"))


@login_required
def pairing_edit(request, pk):
    pairing = _pairing(request, pk, "pairing.manage")
    enterprise = pairing.enterprise
    initial = {"unit": pairing.unit.code, "year": pairing.year, "plan": pairing.plan,
               "note": pairing.note,
               "cadres": [str(pk) for pk in pairing.cadres.values_list("pk", flat=True)]}
    form = PairingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_pairing(enterprise, Unit.objects.filter(code=data["unit"]).first(),
                                 data["year"], data["cadres"], data["plan"], request.user,
                                 note=data["note"], pairing=pairing)
        except ActionError as error:
            _attach(form, error)
        else:
            messages.success(request, _t("已保存挂钩帮办。"))
            return _back(enterprise, data["year"])
    return _form_page(request, form, title=_("编辑挂钩帮办"), enterprise=enterprise,
                      action_label=_("保存"), extra={"pairing": pairing})


@login_required
def goal_add(request, pk):
    pairing = _pairing(request, pk, "pairing.edit")
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_goal(pairing, form.cleaned_data["title"], form.cleaned_data["due_on"],
                             request.user)
        except ActionError as error:
            _attach(form, error)
        else:
            messages.success(request, _t("已添加年度目标。"))
            return _back(pairing.enterprise, pairing.year)
    return _form_page(request, form, title=_("添加年度目标"), enterprise=pairing.enterprise,
                      action_label=_("添加"), extra={"pairing": pairing})


def _goal(request, pk) -> PairingGoal:
    goal = PairingGoal.objects.select_related("pairing__enterprise", "pairing__unit") \
        .filter(pk=pk).first()
    if goal is None:
        raise Http404
    _pairing(request, goal.pairing_id, "pairing.edit")
    return goal


@login_required
def goal_complete(request, pk):
    goal = _goal(request, pk)
    pairing = goal.pairing
    form = CompleteForm(request.POST or None, initial={
        "done_on": goal.done_on or timezone.localdate(), "evidence": goal.evidence})
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete_goal(goal, form.cleaned_data["done_on"],
                                  form.cleaned_data["evidence"], request.user)
        except ActionError as error:
            _attach(form, error)
        else:
            messages.success(request, f"已将“{goal.title}”标记为完成。")
            return _back(pairing.enterprise, pairing.year)
    return _form_page(request, form, title=_("目标完成"), enterprise=pairing.enterprise,
                      action_label=_("标记完成"), extra={"pairing": pairing, "goal": goal})


@login_required
@require_POST
def goal_reopen(request, pk):
    goal = _goal(request, pk)
    try:
        actions.reopen_goal(goal, request.user)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{goal.title}”已改为未完成。")
    return _back(goal.pairing.enterprise, goal.pairing.year)


def _secondment_page(request, enterprise, secondment=None):
    if not _may_manage(request.user):
        raise Http404
    initial = {}
    if secondment is not None:
        initial = {"cadre": str(secondment.cadre_id), "project_name": secondment.project_name,
                   "starts_on": secondment.starts_on, "ends_on": secondment.ends_on,
                   "duty": secondment.duty}
    form = SecondmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # made from the enterprise's page: sent to this enterprise (and, if named, to one
        # of its construction projects)
        data["enterprise"] = enterprise
        try:
            actions.save_secondment(data, request.user, secondment)
        except ActionError as error:
            _attach(form, error)
        else:
            messages.success(request, _t("已保存选派干部。"))
            return _back(enterprise)
    return _form_page(request, form, title=_("选派干部"), enterprise=enterprise,
                      action_label=_("保存"), extra={"secondment": secondment})


@login_required
def secondment_create(request, pk):
    return _secondment_page(request, _enterprise(request, pk))


@login_required
def secondment_edit(request, pk):
    secondment = Secondment.objects.select_related("enterprise").filter(
        pk=pk, enterprise__isnull=False).first()
    if secondment is None:
        raise Http404
    return _secondment_page(request, _enterprise(request, secondment.enterprise_id), secondment)

