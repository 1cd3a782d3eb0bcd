"""The console's practical projects (实事项目, issue #11): the list with its filters and
counts, the Excel export and the print view (for newspaper publication), create (blank,
from demands selected in a queue; from a hotspot in ``hotspot_views``), edit, and the
detail page whose action panels are generated from ``projects.catalogue`` as the demand
page's are from ``demands.catalogue``. Each view: permission → validate → action or query
→ render. Design: docs/projects.md."""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from demands.models import Demand
from lib.errors import ActionError
from lib.forms import Bootstrap, MultipleFileField
from org import access
from org.models import Role, Unit
from org.queries import users_with_role
from projects import actions
from projects.catalogue import CATALOGUE
from projects.models import (
    ACTIVE_STATES,
    Milestone,
    MilestoneState,
    Project,
    ProjectEvent,
    ProjectState,
)

from .panels import respond as respond_panel

S = ProjectState
EDITABLE_STATES = (S.DRAFT, *ACTIVE_STATES)
PAGE_SIZE = 50
PRINT_LIMIT = 500
# the input a photo error names (lib.photos says "photos"; the forms call it photo_files)
PHOTO_FIELD = "photo_files"


# --- forms ---------------------------------------------------------------------------------
def unit_choices() -> list[tuple[str, str]]:
    return [(u.code, u.name) for u in Unit.objects.filter(is_active=True).exclude(
        kind="branch").order_by("path").only("code", "name")]


def leader_choices() -> list[tuple[str, str]]:
    return [(u.username, getattr(getattr(u, "staff", None), "full_name", "") or u.username)
            for u in users_with_role([Role.LEADER]).select_related("staff")]


class ProjectForm(Bootstrap, forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    background = forms.CharField(label=_("背景"), max_length=4000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("群众反映了什么、为什么要办。"))
    plan = forms.CharField(label=_("推进计划"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("工作举措"), max_length=4000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    responsible_unit = forms.ChoiceField(label=_("责任单位"), required=False)
    cooperating_units = forms.MultipleChoiceField(
        label=_("配合单位"), required=False, widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("按住 Ctrl 可多选。"))
    lead_leader = forms.ChoiceField(label=_("牵头领导"), required=False)
    budget = forms.DecimalField(label=_("预算（万元）"), max_digits=10, decimal_places=2,
                                min_value=0, required=False)
    deadline = forms.DateField(label=_("完成时限"), required=False, input_formats=["%Y-%m-%d"],
                               widget=forms.DateInput(attrs={"type": "date"},
                                                      format="%Y-%m-%d"))
    demand_ids = forms.CharField(required=False, max_length=200_000, widget=forms.HiddenInput)

    def __init__(self, *args, published=False, **kwargs):
        super().__init__(*args, **kwargs)
        units = unit_choices()
        self.fields["responsible_unit"].choices = [("", "—"), *units]
        self.fields["cooperating_units"].choices = units
        self.fields["lead_leader"].choices = [("", "—"), *leader_choices()]
        if published:  # a public promise: its deadline moves only by 延期
            self.fields["deadline"].disabled = True
            self.fields["deadline"].help_text = _("项目已公示，完成时限只能通过“延期”调整。")

    def clean_demand_ids(self) -> list[int]:
        try:
            return [int(pk) for pk in self.cleaned_data["demand_ids"].split(",") if pk.strip()]
        except ValueError:
            raise forms.ValidationError(_("诉求编号无效。")) from None


def _initial(project: Project) -> dict:
    return {"title": project.title, "background": project.background, "plan": project.plan,
            "measures": project.measures,
            "responsible_unit": project.responsible_unit.code if project.responsible_unit
            else "",
            "cooperating_units": [u.code for u in project.cooperating_units.all()],
            "lead_leader": project.lead_leader.username if project.lead_leader else "",
            "budget": project.budget, "deadline": project.deadline}


class MilestoneForm(Bootstrap, forms.Form):
    title = forms.CharField(label=_("节点名称"), max_length=100)
    due = forms.DateField(label=_("计划完成日期"), input_formats=["%Y-%m-%d"],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    owner_unit = forms.ChoiceField(label=_("负责单位"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].choices = [("", _("同责任单位")),
                                             *(units if units is not None else unit_choices())]


class CompleteMilestoneForm(Bootstrap, forms.Form):
    evidence = forms.CharField(label=_("完成情况"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    photo_files = MultipleFileField(
        label=_("现场照片（最多 9 张）"), required=False,
        help_text=_("JPEG、PNG 或 WebP，每张不超过 10 MB；位置等拍摄信息会被去除"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo_files"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"


class FilterForm(Bootstrap, forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态")), *S.choices])
    unit = forms.ChoiceField(label=_("责任单位"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("全部单位")), *unit_choices()]


# --- the list --------------------------------------------------------------------------
def _scope(user):
    return access.filter_for(user, "project.view", Project.objects.all())


def _late_milestones():
    return Milestone.objects.filter(project=OuterRef("pk"), state=MilestoneState.PLANNED,
                                    overdue_flag=True)


def overdue_q() -> Q:
    """A project is overdue when it is past its own deadline or one of its milestones is."""
    return Q(overdue_flag=True) | Q(Exists(_late_milestones()))


def _filtered(request):
    form = FilterForm(request.GET or None)
    queryset = _scope(request.user)
    scoped = queryset
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        if data["unit"]:
            unit = Unit.objects.filter(code=data["unit"]).first()
            if unit is not None:
                queryset = queryset.filter(responsible_unit__path__startswith=unit.path)
        if data["overdue"]:
            queryset = queryset.filter(overdue_q())
    return form, scoped, queryset


def with_progress(queryset):
    """Rows as the list, the export and the print view show them: units, the leader and
    the counts of milestones and demands in one query."""
    return queryset.select_related("responsible_unit", "lead_leader__staff").annotate(
        milestone_count=Count("milestones", distinct=True),
        milestones_done=Count("milestones", filter=Q(milestones__state=MilestoneState.DONE),
                              distinct=True),
        demand_count=Count("demands", distinct=True),
        late_milestones=Exists(_late_milestones())).order_by("-created_at", "-id")


def progress(project) -> int:
    if not project.milestone_count:
        return 0
    return round(100 * project.milestones_done / project.milestone_count)


def _query_string(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


@login_required
def project_list(request):
    if not access.can_anywhere(request.user, "project.view"):
        raise PermissionDenied
    form, scoped, queryset = _filtered(request)
    counts = dict(scoped.order_by().values_list("state").annotate(n=Count("pk")))
    overdue_count = scoped.filter(overdue_q()).count()
    page = Paginator(with_progress(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    for project in page:
        project.progress = progress(project)
    query = _query_string(request)
    return render(request, "console/projects/list.html", {
        "form": form, "page": page, "query": query,
        "state_counts": [(value, label, counts.get(value, 0)) for value, label in S.choices],
        "total": sum(counts.values()), "overdue_count": overdue_count,
        "can_create": access.can_anywhere(request.user, "project.create"),
        "export_url": f"{reverse('console:project_export')}?{query}",
        "print_url": f"{reverse('console:project_print')}?{query}",
    })


def _latest_updates(projects) -> dict[int, str]:
    """Each project's latest progress update (one query for the lot)."""
    from projects.models import ProgressUpdate

    latest = {}
    rows = ProgressUpdate.objects.filter(project__in=[p.pk for p in projects]).order_by(
        "project_id", "-posted_at", "-id").values_list("project_id", "posted_at", "text")
    for project_id, posted_at, text in rows:
        if project_id not in latest:
            latest[project_id] = f"{timezone.localtime(posted_at):%Y-%m-%d} {text}"
    return latest


def _rows_for_publication(request, limit=None):
    form, _scoped, queryset = _filtered(request)
    projects = list(with_progress(queryset)[:limit] if limit else with_progress(queryset))
    latest = _latest_updates(projects)
    for project in projects:
        project.progress = progress(project)
        project.latest = latest.get(project.pk, "")
    return form, projects


EXPORT_COLUMNS = [
    ("项目名称", 36, lambda p: p.title),
    ("责任单位", 20, lambda p: p.responsible_unit.name if p.responsible_unit else ""),
    ("牵头领导", 10, lambda p: _person(p.lead_leader)),
    ("完成时限", 12, lambda p: f"{p.deadline:%Y-%m-%d}" if p.deadline else ""),
    ("状态", 8, lambda p: p.get_state_display()),
    ("进度", 16, lambda p: f"{p.milestones_done}/{p.milestone_count}（{p.progress}%）"),
    ("相关诉求数", 10, lambda p: p.demand_count),
    ("最新进展", 60, lambda p: p.latest),
]


def _person(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.full_name if staff else user.get_username()


def _safe(value):
    """A cell never starts a formula (=, +, -, @): the sheet is opened by others."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@login_required
def project_export(request):
    if not access.can_anywhere(request.user, "project.view"):
        raise PermissionDenied
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    _form, projects = _rows_for_publication(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("实事项目")
    for index, (_header, width, _value) in enumerate(EXPORT_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    from openpyxl.cell import WriteOnlyCell

    header = []
    for name, _width, _value in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    sheet.append(header)
    for project in projects:
        sheet.append([_safe(value(project)) for _name, _width, value in EXPORT_COLUMNS])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    book.save(spool)
    spool.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(spool, as_attachment=True, filename=f"实事项目-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")


@login_required
def project_print(request):
    if not access.can_anywhere(request.user, "project.view"):
        raise PermissionDenied
    form, projects = _rows_for_publication(request, limit=PRINT_LIMIT)
    return render(request, "console/projects/print.html", {
        "projects": projects, "form": form, "now": timezone.localtime(),
        "limited": len(projects) == PRINT_LIMIT,
        "list_url": f"{reverse('console:project_list')}?{_query_string(request)}"})


# --- create and edit -------------------------------------------------------------------
def _attach_error(form, error: ActionError) -> None:
    field = PHOTO_FIELD if error.field == "photos" else error.field
    form.add_error(field if field in form.fields else None, error.message)


def _selected_demands(user, ids):
    return list(access.filter_for(user, "demand.view", Demand.objects.filter(pk__in=ids))
                .select_related("category", "current_unit").order_by("-submitted_at")[:200])


@login_required
def project_create(request):
    """A blank project, or one from the demands ticked in a queue (the queue's form posts
    ``demand`` ids with ``from_queue``: the form is shown filled, nothing is created)."""
    if not access.can_anywhere(request.user, "project.create"):
        raise PermissionDenied
    from_queue = request.method == "POST" and "from_queue" in request.POST
    if from_queue:
        ids = [pk for pk in request.POST.getlist("demand") if pk.isdigit()]
        form = ProjectForm(initial={"demand_ids": ",".join(ids)})
    else:
        form = ProjectForm(request.POST or None)
    if request.method == "POST" and not from_queue and form.is_valid():
        data = dict(form.cleaned_data)
        ids = data.pop("demand_ids")
        try:
            project = actions.create(request.user, demand_ids=ids,
                                     source="queue" if ids else "blank", **data)
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, f"已创建实事项目“{project.title}”（草稿）。")
            return redirect("console:project", pk=project.pk)
    ids = form["demand_ids"].value() or ""
    ids = [int(pk) for pk in str(ids).split(",") if pk.strip().isdigit()]
    return render(request, "console/projects/form.html", {
        "form": form, "creating": True, "demands": _selected_demands(request.user, ids),
        "demand_total": len(ids)}, status=400 if form.errors else 200)


def _get_project(request, pk) -> Project:
    """A project the user may see, or 404 (never 403: nobody learns it exists)."""
    return access.get_for_user_or_404(
        request.user, "project.view",
        Project.objects.select_related("responsible_unit", "lead_leader__staff",
                                       "created_by__staff", "office_approved_by__staff",
                                       "leader_approved_by__staff"), pk=pk)


def _editable(user, project) -> bool:
    return project.state in EDITABLE_STATES and actions.may(user, "project.edit", project)


@login_required
def project_edit(request, pk):
    project = _get_project(request, pk)
    if not _editable(request.user, project):
        raise PermissionDenied
    published = project.state != S.DRAFT
    form = ProjectForm(request.POST or None, initial=_initial(project), published=published)
    del form.fields["demand_ids"]
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit(request.user, project, **form.cleaned_data)
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("console:project", pk=project.pk)
    return render(request, "console/projects/form.html", {
        "form": form, "project": project, "creating": False},
        status=400 if form.errors else 200)


# --- from a queue: link the ticked demands to a project ----------------------------------
def linkable(user):
    """Projects the user may add demands to (not final, theirs to edit)."""
    return access.filter_for(user, "project.edit", Project.objects.filter(
        state__in=EDITABLE_STATES)).order_by("-created_at")


@login_required
@require_POST
def project_link(request):
    if not access.can_anywhere(request.user, "project.edit"):
        raise PermissionDenied
    ids = [pk for pk in request.POST.getlist("demand") if pk.strip()]
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("console:demand_list")
    project = linkable(request.user).filter(pk=request.POST.get("project") or 0).first() \
        if (request.POST.get("project") or "").isdigit() else None
    if project is None:
        messages.error(request, "请选择要加入的实事项目。")
        return redirect(back)
    if not ids:
        messages.error(request, "请先勾选诉求。")
        return redirect(back)
    try:
        added = actions.link_demands(request.user, project, ids)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, f"已将 {added} 条诉求加入实事项目“{project.title}”。")
    return redirect("console:project", pk=project.pk)


# --- the detail page and its actions -----------------------------------------------------
def _action_form(name: str, data=None, files=None):
    if not CATALOGUE[name].inputs:
        return None
    return CATALOGUE.form_class(name)(data, files)


def _detail_context(request, project, *, forms=None, errors=None, milestone_forms=None,
                    add_form=None):
    user = request.user
    forms, errors, milestone_forms = forms or {}, errors or {}, milestone_forms or {}
    available = [t.name for t in CATALOGUE.available(user, project)]
    panels = []
    for name in available:
        transition = CATALOGUE[name]
        form = forms.get(name) or _action_form(name)
        panels.append({"name": name, "label": transition.label, "form": form,
                       "help": transition.help, "error": errors.get(name),
                       "multipart": any(i.kind == "photos" for i in transition.inputs)})
    editable = _editable(user, project)
    completable = project.state in ACTIVE_STATES and editable
    units = unit_choices() if editable else []
    milestones = list(project.milestones.select_related("owner_unit", "done_by__staff")
                      .prefetch_related("photos"))
    today = timezone.localdate()
    for milestone in milestones:
        planned = milestone.state == MilestoneState.PLANNED
        milestone.late = planned and (milestone.overdue_flag or milestone.due < today)
        milestone.edit_form = milestone.complete_form = None
        if editable and planned:
            milestone.edit_form = milestone_forms.get(("edit", milestone.pk)) or MilestoneForm(
                initial={"title": milestone.title, "due": milestone.due,
                         "owner_unit": milestone.owner_unit.code if milestone.owner_unit
                         else ""}, units=units, prefix=f"m{milestone.pk}")
        if completable and planned:
            milestone.complete_form = milestone_forms.get(("complete", milestone.pk)) or \
                CompleteMilestoneForm(prefix=f"c{milestone.pk}")
        milestone.open_form = next((op for op, pk in milestone_forms if pk == milestone.pk),
                                   None)
    done = sum(1 for m in milestones if m.state == MilestoneState.DONE)
    attached = project.demands.all()
    visible = _selected_demands(user, attached.values("pk"))
    demand_total = attached.count()
    return {
        "project": project,
        "stray_errors": [message for name, message in errors.items() if name not in available],
        "panels": panels,
        "milestones": milestones,
        "done": done,
        "progress": round(100 * done / len(milestones)) if milestones else 0,
        "editable": editable,
        "add_form": add_form or (MilestoneForm(units=units, prefix="new") if editable
                                 else None),
        "updates": project.updates.select_related("posted_by__staff").prefetch_related(
            "photos"),
        "events": _events(project),
        "demands": visible,
        "demand_total": demand_total,
        "hidden": demand_total - len(visible) if demand_total <= 200 else 0,
        "demand_units": attached.values("current_unit__name").annotate(n=Count("pk"))
        .order_by("-n")[:10],
        "demand_categories": attached.exclude(category=None).values("category__name")
        .annotate(n=Count("pk")).order_by("-n")[:10],
        "cooperating": project.cooperating_units.all(),
        "today": today,
    }


def _field_label(name: str) -> str:
    try:
        return str(Project._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field renamed since the event was written
        return name


def _events(project) -> list[ProjectEvent]:
    """The project's record, each event with a line of what its data says."""
    events = list(project.events.select_related("actor__staff"))
    for event in events:
        data, parts = event.data or {}, []
        if data.get("milestone"):
            parts.append(f"“{data['milestone']}”")
        if data.get("old_due") and data.get("due") != data.get("old_due"):
            parts.append(f"计划日期 {data['old_due']} → {data['due']}")
        elif data.get("due"):
            parts.append(f"计划 {data['due']}")
        if data.get("old_deadline"):
            parts.append(f"完成时限 {data['old_deadline']} → {data['deadline']}")
        elif data.get("deadline"):
            parts.append(f"完成时限 {data['deadline']}")
        if data.get("fields"):
            parts.append("修改了" + "、".join(_field_label(n) for n in data["fields"]))
        if data.get("source") == "hotspot":
            parts.append("由热点生成")
        elif data.get("source") == "queue":
            parts.append("由所选诉求生成")
        if data.get("from_draft"):
            parts.append("由热点草稿转入")
        if data.get("demands"):
            parts.append(f"诉求 {data['demands']} 条")
        if data.get("photos"):
            parts.append(f"照片 {data['photos']} 张")
        event.summary = "，".join(parts)
    return events


def _respond(request, project, status=200, **context):
    return respond_panel(request, "projects", _detail_context(request, project, **context), status)


@login_required
def project_detail(request, pk):
    return _respond(request, _get_project(request, pk))


def _after_change(request, project, message):
    messages.success(request, message)
    if not request.headers.get("HX-Request"):
        return redirect("console:project", pk=project.pk)
    return _respond(request, _get_project(request, project.pk))


@login_required
@require_POST
def project_act(request, pk, name):
    project = _get_project(request, pk)
    if name not in CATALOGUE or "console" not in CATALOGUE[name].surfaces:
        raise Http404
    form = _action_form(name, request.POST, request.FILES)
    errors = {}
    if form is None or form.is_valid():
        try:
            CATALOGUE.run(name, request.user, project, form.cleaned_data if form else {})
        except ActionError as error:
            field = PHOTO_FIELD if error.field == "photos" else error.field
            if form is not None and field in form.fields:
                form.add_error(field, error.message)
            else:
                errors[name] = error.message
        else:
            return _after_change(request, project, f"已{CATALOGUE[name].label}。")
    project = _get_project(request, pk)
    return _respond(request, project, status=400, forms={name: form} if form else None,
                    errors=errors)


def _milestone(project, mid) -> Milestone:
    milestone = project.milestones.filter(pk=mid).first()
    if milestone is None:
        raise Http404
    return milestone


@login_required
@require_POST
def milestone_add(request, pk):
    project = _get_project(request, pk)
    if not _editable(request.user, project):
        raise PermissionDenied
    form = MilestoneForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            actions.add_milestone(request.user, project, **form.cleaned_data)
        except ActionError as error:
            _attach_error(form, error)
        else:
            return _after_change(request, project, f"已增加里程碑“{form.cleaned_data['title']}”。")
    return _respond(request, _get_project(request, pk), status=400, add_form=form)


@login_required
@require_POST
def milestone_edit(request, pk, mid):
    project = _get_project(request, pk)
    if not _editable(request.user, project):
        raise PermissionDenied
    milestone = _milestone(project, mid)
    form = MilestoneForm(request.POST, prefix=f"m{milestone.pk}")
    if form.is_valid():
        try:
            actions.edit_milestone(request.user, milestone, **form.cleaned_data)
        except ActionError as error:
            _attach_error(form, error)
        else:
            return _after_change(request, project, "已修改里程碑。")
    return _respond(request, _get_project(request, pk), status=400,
                    milestone_forms={("edit", milestone.pk): form})


@login_required
@require_POST
def milestone_complete(request, pk, mid):
    project = _get_project(request, pk)
    if not _editable(request.user, project):
        raise PermissionDenied
    milestone = _milestone(project, mid)
    form = CompleteMilestoneForm(request.POST, request.FILES, prefix=f"c{milestone.pk}")
    if form.is_valid():
        try:
            actions.complete_milestone(request.user, milestone, form.cleaned_data["evidence"],
                                       form.cleaned_data["photo_files"])
        except ActionError as error:
            _attach_error(form, error)
        else:
            return _after_change(request, project, f"里程碑“{milestone.title}”已完成。")
    return _respond(request, _get_project(request, pk), status=400,
                    milestone_forms={("complete", milestone.pk): form})


# --- the retired hotspot drafts (campaigns.ProjectDraft became projects in 草稿) ----------
@login_required
def drafts_moved(request, pk=None):
    """Old links to the drafts: the list is the projects in 草稿; a draft is the project
    the migration (projects.0002) made of it, when there is one."""
    if pk is not None:
        event = ProjectEvent.objects.filter(kind="create", data__from_draft=pk).first()
        if event is not None:
            return redirect("console:project", pk=event.project_id)
    return redirect(f"{reverse('console:project_list')}?state={S.DRAFT}")

