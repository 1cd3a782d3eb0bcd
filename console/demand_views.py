"""The console's demand pages: queues, registration, detail with htmx actions, the KPI
dashboard, the Excel export and the notification inbox. Each view: permission → validate
→ action or query → render."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands import catalogue, kpis, queues
from demands.actions.intake import Intake, register
from demands.catalogue import CATALOGUE
from demands.exports import write_xlsx
from demands.models import Demand, Level, ReplyTemplate, SlaFlag
from enterprises.queries import paired_enterprise_ids
from inbox.actions import mark_read
from inbox.models import Notification
from insights import routing
from lib.errors import ActionError
from org import access
from projects import public as project_public
from projects.models import ACTIVE_STATES, Project, ProjectState

from . import demand_forms as f
from . import demand_panel


def _filtered(request, queryset, form):
    records = f.RecordsForm(request.GET)
    if records.active:  # the list behind a figure (kpis.records_url)
        start, end = records.bounds()
        queryset = kpis.records(queryset, records.cleaned_data["kpi"], start, end,
                                records.cleaned_data["part"] or None)
    if not form.is_valid():
        return queryset
    data = form.cleaned_data
    if data["q"]:
        q = data["q"].strip()
        queryset = queryset.filter(Q(number__istartswith=q) | Q(title__contains=q)
                                   | Q(requester_phone=q))
    if data["category"]:
        queryset = queryset.filter(category__parent=data["category"])
    if data["unit"]:
        queryset = queryset.filter(current_unit__path__startswith=data["unit"].path)
    if data["channel"]:
        queryset = queryset.filter(channel=data["channel"])
    if data["kind"]:
        queryset = queryset.filter(requester_kind=data["kind"])
    if data.get("paired"):
        queryset = queryset.filter(enterprise_id__in=paired_enterprise_ids(request.user))
    if data["sla"]:
        now = timezone.now()
        queryset = {SlaFlag.OVERDUE: queryset.overdue, SlaFlag.WARNING: queryset.warning,
                    SlaFlag.NORMAL: queryset.in_time}[data["sla"]](now)
    return queryset


def _queue_key(request) -> str:
    key = request.GET.get("queue") or queues.default_queue(request.user)
    if key not in queues.QUEUES:
        raise Http404
    return key


def _bulk_project(user) -> dict:
    """The queue's bulk action (issue #11): the ticked demands become a practical project
    (转为实事项目) or join one the user may edit (加入已有项目)."""
    can_create = access.can_anywhere(user, "project.create")
    projects = list(access.filter_for(user, "project.edit", Project.objects.filter(
        state__in=(ProjectState.DRAFT, *ACTIVE_STATES))).order_by("-created_at")
        .only("pk", "title")[:100]) if access.can_anywhere(user, "project.edit") else []
    return {"can_bulk": can_create or bool(projects), "can_create_project": can_create,
            "link_projects": projects}


@login_required
def demand_list(request):
    if not access.can_anywhere(request.user, "demand.view"):
        raise PermissionDenied
    key = _queue_key(request)
    form = f.FilterForm(request.GET, user=request.user)
    queryset = _filtered(request, queues.queue_queryset(request.user, key), form)
    rows, cursor = queues.page(queryset.select_related("category", "current_unit",
                                                       "first_receiver"),
                               request.GET.get("after"))
    params = request.GET.copy()
    params.pop("after", None)
    now = timezone.now()
    context = {
        "queues": queues.queues_for(request.user),
        "queue": queues.QUEUES[key],
        "form": form,
        "records": f.RecordsForm(request.GET) if "kpi" in request.GET else None,
        "rows": [(demand, demand.sla_state(now)) for demand in rows],
        "next_url": f"?{params.urlencode()}&after={cursor}" if cursor else None,
        "first_url": f"?{params.urlencode()}" if request.GET.get("after") else None,
        "export_url": f"{reverse('console:demand_export')}?{params.urlencode()}",
        "can_export": access.can_anywhere(request.user, "demand.export"),
        "can_register": access.can_anywhere(request.user, "demand.receive"),
        **_bulk_project(request.user),
    }
    template = "console/demands/_rows.html" if request.headers.get("HX-Request") and \
        request.GET.get("after") else "console/demands/list.html"
    return render(request, template, context)


@login_required
def demand_register(request):
    if not access.can_anywhere(request.user, "demand.receive"):
        raise PermissionDenied
    form = f.RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            demand, created = register(request.user, Intake(**data))
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if created:
                due = timezone.localtime(demand.deadline)
                messages.success(request, f"已受理，诉求编号 {demand.number}，"
                                          f"承诺办结时限 {due:%m月%d日 %H:%M}。")
            else:
                messages.info(request, f"该渠道编号已受理过，诉求编号 {demand.number}。")
            return redirect("console:demand_detail", number=demand.number)
    return render(request, "console/demands/register.html", {"form": form},
                  status=400 if form.errors else 200)


def _get_demand(request, number) -> Demand:
    return access.get_for_user_or_404(
        request.user, "demand.view",
        Demand.objects.select_related("category__parent", "current_unit", "first_receiver",
                                      "handler", "duplicate_of"), number=number)


def _action_form(name: str, demand, data=None):
    """The form of a catalogue transition (None when it takes no input), with the
    console's aids: the category's default unit and a routing suggestion preselected
    for dispatch, the reply templates beside a reply."""
    transition = CATALOGUE[name]
    if not transition.inputs:
        return None
    form = CATALOGUE.form_class(name)(data)
    if data is None and name == "dispatch" and demand.category and \
            demand.category.default_unit_id:
        form.initial["unit"] = demand.category.default_unit.code
    for spec in transition.inputs:
        if spec.assist == "reply_templates":
            form.fields = {"template": f.reply_template_field(), **form.fields}
            form.fields["template"].widget.attrs.update({"class": "form-select",
                                                         "data-reply-templates": "1"})
    return form


def _detail_context(request, demand, forms=None, errors=None):
    available = catalogue.available(request.user, demand)
    forms = forms or {}
    panels = []
    for name in available:
        form = forms.get(name) or _action_form(name, demand)
        if name == "dispatch" and not form.is_bound and request.GET.get("unit"):
            form.initial["unit"] = request.GET["unit"]  # a routing suggestion's link
        if name == "classify" and not form.is_bound and request.GET.get("category"):
            form.initial["category"] = request.GET["category"]
        panels.append({"name": name, "label": CATALOGUE[name].label, "form": form,
                       "help": CATALOGUE[name].help, "error": (errors or {}).get(name)})
    return {
        "demand": demand,
        # refusals of actions no longer (or never) offered: shown above everything
        "stray_errors": [message for name, message in (errors or {}).items()
                         if name not in available],
        "sla": demand.sla_state(),
        "events": demand.events.select_related("actor__staff", "unit"),
        "attachments": demand.attachments.all(),
        "evaluations": demand.evaluations.all(),
        "extensions": demand.extension_requests.select_related("requested_by__staff",
                                                                "decided_by__staff"),
        "orders": demand.supervision_orders.select_related("issued_by__staff"),
        # 疑似重复: the open duplicate flags, with 并单 / 非重复 for triage staff
        "duplicate_rows": demand_panel.panel_rows(request.user, demand),
        "panels": panels,
        # 智能分派建议: the routing models' top units and categories, for the dispatcher
        "routing": routing.advice(demand)
        if {"dispatch", "classify"} & set(available) else None,
        "classifying": "classify" in available,
        "templates": {str(t.pk): t.render(demand) for t in ReplyTemplate.objects.all()},
        # 实事项目: the projects this demand fed (linked where the user may see them)
        "projects": _projects_of(request.user, demand),
        # 登记整改承诺: after a negative evaluation
        "can_commit": demand.evaluation_level in NEGATIVE_LEVELS
        and access.can_anywhere(request.user, "commitment.edit"),
    }


NEGATIVE_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


def _projects_of(user, demand) -> list:
    projects = list(demand.projects.select_related("responsible_unit").order_by("-created_at"))
    if projects:
        visible = set(access.filter_for(user, "project.view", Project.objects.filter(
            pk__in=[p.pk for p in projects])).values_list("pk", flat=True))
        for project in projects:
            project.visible = project.pk in visible
    return projects


@login_required
def demand_detail(request, number):
    demand = _get_demand(request, number)
    return render(request, "console/demands/detail.html", _detail_context(request, demand))


@login_required
@require_POST
def demand_act(request, number, name):
    demand = _get_demand(request, number)
    if name not in CATALOGUE or "console" not in CATALOGUE[name].surfaces:
        raise Http404
    form = _action_form(name, demand, request.POST)
    errors = {}
    if form is None or form.is_valid():
        try:
            CATALOGUE.run(name, request.user, demand, form.cleaned_data if form else {})
        except ActionError as error:
            if form is not None and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                errors[name] = error.message
        else:
            messages.success(request, f"已{CATALOGUE[name].label}。")
            if not access.filter_for(request.user, "demand.view", Demand.objects.filter(
                    pk=demand.pk)).exists():
                # handed out of the user's sight (a unit's return): back to their queue
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = reverse("console:demand_list")
                    return response
                return redirect("console:demand_list")
            demand = _get_demand(request, number)
            if not request.headers.get("HX-Request"):
                return redirect("console:demand_detail", number=number)
            return render(request, "console/demands/_panel.html",
                          _detail_context(request, demand))
    demand = _get_demand(request, number)
    context = _detail_context(request, demand, forms={name: form} if form else None,
                              errors=errors)
    if not request.headers.get("HX-Request"):
        return render(request, "console/demands/detail.html", context, status=400)
    return render(request, "console/demands/_panel.html", context)


# --- dashboard ---------------------------------------------------------------------------
def _period(form):
    now = timezone.localtime()
    year, month = now.year, now.month
    if form.is_valid() and form.cleaned_data.get("month"):
        year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            year, month = now.year, now.month
    return year, month


@login_required
def dashboard(request):
    if not access.can_anywhere(request.user, "demand.kpi"):
        raise PermissionDenied
    form = f.PeriodForm(request.GET or None)
    year, month = _period(form)
    scope = kpis.Rollup.for_user(request.user)  # the roll-ups answer unit scopes
    by = (form.cleaned_data.get("by") if form.is_valid() else None) or "unit"
    data = kpis.cached_dashboard(access.scope_key(request.user, "demand.kpi"), scope, year,
                                 month, by)
    figures, trend, groups = data["figures"], data["trend"], data["groups"]
    chart = {
        "months": [label for _, label, _ in trend],
        "series": {kind: [figs[f"satisfaction_{kind}"].percent for _, _, figs in trend]
                   for kind in ("citizen", "grassroots", "enterprise")},
        "units": [label for _, label, _ in groups],
        "unit_satisfaction": [figs["satisfaction"].percent for _, _, figs in groups],
        "unit_on_time": [figs["on_time"].percent for _, _, figs in groups],
    }
    start, end = kpis.month_bounds(year, month)
    # each figure's "n / d" opens the list behind it (the numerator, the denominator)
    links = {figure: {"hit": kpis.records_url(figure, start, end, part="hit"),
                      "all": kpis.records_url(figure, start, end)}
             for figure in ("satisfaction_citizen", "satisfaction_grassroots",
                            "satisfaction_enterprise", "on_time", "overdue")}
    unit_links = {key: kpis.records_url("satisfaction", start, end, unit=key)
                  for key, _label, _figures in groups if by == "unit" and key is not None}
    return render(request, "console/demands/dashboard.html", {
        "links": links,
        "form": form, "period": f"{year}年{month}月", "figures": figures,
        # project satisfaction beside the three rates: the public statistics page's figure
        "projects": project_public.project_satisfaction(start, end),
        "definitions": kpis.DEFINITIONS,
        "groups": [(key, label, figs, unit_links.get(key)) for key, label, figs in groups],
        "group_label": kpis.GROUP_LABELS[by], "chart": chart,
        "month_value": f"{year}-{month:02d}", "computed_at": data["computed_at"],
        "cache_minutes": settings.KPI_CACHE_SECONDS // 60,
    })


# --- export ------------------------------------------------------------------------------
@login_required
def demand_export(request):
    if not access.can_anywhere(request.user, "demand.export"):
        raise PermissionDenied
    key = _queue_key(request)
    form = f.FilterForm(request.GET, user=request.user)
    queryset = _filtered(request, queues.queue_queryset(request.user, key), form)
    queryset = access.filter_for(request.user, "demand.export", queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    # Spooled to disk: a big export never sits whole in the web worker's memory.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(queryset, spool, title=queues.QUEUES[key].label)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"诉求-{key}-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")


# --- inbox ---------------------------------------------------------------------------------
@login_required
def inbox(request):
    if request.method == "POST":
        mark_read(request.user)
        return redirect("console:inbox")
    items = Notification.objects.filter(recipient=request.user)[:100]
    return render(request, "console/inbox.html", {"items": items})


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

