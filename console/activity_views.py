"""The console's activity records (活动记录, issue #12): the list (kind, unit, person,
month, within the viewer's ``activity.view`` scope), the record form — made for a phone
first: a leader records a grassroots visit on the spot, with photos from the camera —,
the detail with photos and files (downloads checked like the page), edit and delete.
Each view: permission → validate → action or query → render. Design: docs/campaign.md."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from activities import actions
from activities.models import Activity, ActivityKind
from activities.queries import visible
from enterprises.models import Enterprise
from lib.errors import ActionError
from lib.forms import Bootstrap, MultipleFileField
from org import access
from org.models import Unit, UnitKind
from projects.models import Project

K = ActivityKind
PAGE_SIZE = 30
# the form's names for what the action calls ``photos`` and ``files``
FIELD_OF_ERROR = {"photos": "photo_files", "files": "doc_files", "demand": "demand"}
KIND_ICONS = {K.VISIT: "bi-house-door", K.VOLUNTEER: "bi-heart",
              K.PROBLEM: "bi-tools", K.SUPPORT: "bi-building"}
KIND_HINTS = {K.VISIT: _("党组成员、干部到社区、一线单位挂钩帮扶"),
              K.VOLUNTEER: _("党支部组织的志愿服务活动"),
              K.PROBLEM: _("为基层解决实际问题，关联基层诉求或实事项目"),
              K.SUPPORT: _("为挂钩企业解决困难")}


# --- choices ------------------------------------------------------------------------------
def recordable_units(user, kind: str) -> list[tuple[str, str]]:
    """The units a person may record for (``activity.record`` over their scope); a
    volunteer activity belongs to a Party branch."""
    units = Unit.objects.filter(is_active=True)
    where = access.scope(user, "activity.record")
    if not where.everything:
        condition = Q(pk__in=[])
        for path in where.paths:
            condition |= Q(path__startswith=path)
        units = units.filter(condition)
    if kind == K.VOLUNTEER:
        units = units.filter(kind=UnitKind.BRANCH)
    return [(u.code, u.name) for u in units.order_by("path").only("code", "name")]


def people_choices(user) -> list[tuple[str, str]]:
    return [(str(p.user_id), f"{p.full_name}（{p.unit.display_name}）")
            for p in actions.people_choices_for(user).order_by("unit__path", "full_name")]


class ActivityForm(Bootstrap, forms.Form):
    occurred_on = forms.DateField(label=_("日期"), input_formats=["%Y-%m-%d"],
                                  widget=forms.DateInput(attrs={"type": "date"},
                                                         format="%Y-%m-%d"))
    unit = forms.ChoiceField(label=_("所属单位"))
    people = forms.MultipleChoiceField(
        label=_("参加人员"), widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("谁参加了：每人计入本人的目标。可多选（电脑上按住 Ctrl）。"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    visited = forms.CharField(label=_("走访单位/社区"), max_length=200)
    met = forms.CharField(label=_("接待/座谈对象"), max_length=200, required=False)
    participants_count = forms.IntegerField(label=_("参加人数"), min_value=0, max_value=100000)
    hours = forms.DecimalField(label=_("服务时长（小时）"), min_value=0, max_digits=6,
                               decimal_places=1)
    demand = forms.CharField(label=_("相关基层诉求编号"), max_length=20, required=False,
                             help_text=_("填诉求编号，或在下面选择实事项目，二者至少其一。"))
    project = forms.ChoiceField(label=_("相关实事项目"), required=False)
    enterprise = forms.ChoiceField(label=_("企业"))
    summary = forms.CharField(label=_("内容摘要"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("发现的问题"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    agreed = forms.CharField(label=_("商定事项"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label=_("后续跟进"), max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("办理结果"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    photo_files = MultipleFileField(
        label=_("现场照片（最多 9 张）"), required=False,
        help_text=_("可直接拍照；JPEG、PNG 或 WebP，每张不超过 10 MB，位置等拍摄信息会被去除。"))
    doc_files = MultipleFileField(
        label=_("附件（最多 5 个）"), required=False,
        help_text=_("会议纪要、台账等：PDF、Word、Excel，每个不超过 20 MB。"))
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    KIND_FIELDS = {
        K.VISIT: ("visited", "met", "problems", "agreed", "follow_up"),
        K.VOLUNTEER: ("participants_count", "hours"),
        K.PROBLEM: ("demand", "project", "result"),
        K.SUPPORT: ("enterprise", "result"),
    }

    def __init__(self, *args, kind: str, user, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = set(self.KIND_FIELDS[kind])
        for name in {n for names in self.KIND_FIELDS.values() for n in names} - keep:
            del self.fields[name]
        units = recordable_units(user, kind)
        if activity is not None and activity.unit.code not in {c for c, _n in units}:
            units = [(activity.unit.code, activity.unit.name), *units]  # kept when editing
        self.fields["unit"].choices = [("", "—"), *units] if len(units) != 1 else units
        if kind == K.VOLUNTEER:
            self.fields["unit"].label = _("党支部")
        people = people_choices(user)
        if activity is not None:
            shown = {value for value, _label in people}
            people += [(str(u.pk), getattr(getattr(u, "staff", None), "full_name", u.username))
                       for u in activity.people.select_related("staff")
                       if str(u.pk) not in shown]
        self.fields["people"].choices = people
        if "project" in self.fields:
            projects = access.filter_for(user, "project.view", Project.objects.all()) \
                .order_by("-created_at").only("pk", "title")[:200]
            self.fields["project"].choices = [("", "—"), *((str(p.pk), p.title)
                                                           for p in projects)]
        if "enterprise" in self.fields:
            self.fields["enterprise"].choices = [("", "—"), *(
                (str(e.pk), e.name) for e in Enterprise.objects.filter(is_active=True)
                .order_by("name").only("pk", "name"))]
        today = timezone.localdate()
        self.fields["occurred_on"].widget.attrs["max"] = f"{today:%Y-%m-%d}"
        self.fields["photo_files"].widget.attrs.update(accept="image/*", capture="environment")
        self.fields["doc_files"].widget.attrs["accept"] = ",".join(
            f".{ext}" for ext in ("pdf", "doc", "docx", "xls", "xlsx"))
        for name, field in self.fields.items():
            if name not in ("photo_files", "doc_files", "people", "form_token"):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = f"{css} {css}-lg"

    def action_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in data
                if name not in ("people", "photo_files", "doc_files", "form_token")}


def _initial(user, kind: str) -> dict:
    unit = actions.home_unit(user)
    return {"occurred_on": timezone.localdate(), "people": [str(user.pk)],
            "unit": unit.code if unit is not None and kind != K.VOLUNTEER else "",
            "form_token": uuid.uuid4().hex}


def _instance_initial(activity: Activity) -> dict:
    values = {name: getattr(activity, name) for name in (
        "occurred_on", "place", "summary", "visited", "met", "problems", "agreed",
        "follow_up", "participants_count", "hours", "result")}
    values.update(unit=activity.unit.code, people=[str(pk) for pk in
                                                   activity.people.values_list("pk", flat=True)],
                  demand=activity.demand.number if activity.demand_id else "",
                  project=str(activity.project_id or ""),
                  enterprise=str(activity.enterprise_id or ""))
    return values


def _attach_error(form, error: ActionError) -> None:
    field = FIELD_OF_ERROR.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


# --- the list ---------------------------------------------------------------------------
class FilterForm(Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部类型")), *K.choices])
    unit = forms.ChoiceField(label=_("单位"), required=False)
    person = forms.CharField(label=_("人员"), required=False, max_length=150)
    month = forms.CharField(label=_("月份"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True)
        where = access.scope(user, "activity.view")
        if not where.everything:
            condition = Q(pk__in=[])
            for path in where.paths:
                condition |= Q(path__startswith=path)
            units = units.filter(condition)
        self.fields["unit"].choices = [("", _("全部单位")), *(
            (u.code, u.name) for u in units.order_by("path").only("code", "name"))]

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a month
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 2026-07。")) from None


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@login_required
def activity_list(request):
    # everyone who records sees at least their own records
    if not access.can_anywhere(request.user, "activity.record"):
        raise PermissionDenied
    form = FilterForm(request.GET or None, user=request.user)
    queryset = visible(request.user)
    person = None
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["unit"]:
            unit = Unit.objects.filter(code=data["unit"]).first()
            if unit is not None:
                queryset = queryset.filter(unit__path__startswith=unit.path)
        if data["person"]:
            person = get_user_model().objects.filter(username=data["person"]) \
                .select_related("staff").first()
            queryset = queryset.filter(people=person) if person else queryset.none()
        if data["month"]:
            queryset = queryset.filter(occurred_on__range=(data["month"],
                                                           _month_end(data["month"])))
    page = Paginator(queryset.select_related("unit", "created_by__staff")
                     .prefetch_related("people__staff").order_by("-occurred_on", "-id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "console/activities/list.html", {
        "form": form, "page": page, "query": params.urlencode(), "person": person,
        "kinds": K.choices,
        "can_record": access.can_anywhere(request.user, "activity.record"),
    })


# --- record, edit, delete ---------------------------------------------------------------
def _kind(value: str | None) -> str:
    return value if value in K.values else K.VISIT


@login_required
def activity_create(request):
    user = request.user
    if not access.can_anywhere(user, "activity.record"):
        raise PermissionDenied
    kind = _kind(request.POST.get("kind") if request.method == "POST" else
                 request.GET.get("kind"))
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, kind=kind, user=user)
        if form.is_valid():
            try:
                activity = actions.record(kind, form.action_fields(),
                                          form.cleaned_data["people"],
                                          form.cleaned_data["photo_files"],
                                          form.cleaned_data["doc_files"],
                                          form.cleaned_data["form_token"], by=user)
            except ActionError as error:
                _attach_error(form, error)
            else:
                if getattr(activity, "repeated", False):
                    messages.info(request, _t("这份记录已经提交过，没有重复保存。"))
                else:
                    messages.success(request, f"已记录{activity.get_kind_display()}。")
                return redirect("console:activity", pk=activity.pk)
    else:
        form = ActivityForm(initial=_initial(user, kind), kind=kind, user=user)
    return render(request, "console/activities/form.html", {
        "form": form, "kind": kind, "creating": True,
        "kinds": [(value, label, KIND_ICONS[value], KIND_HINTS[value])
                  for value, label in K.choices],
    }, status=400 if form.errors else 200)


def _get(request, pk) -> Activity:
    """A record the person may see, or 404 (never 403)."""
    activity = visible(request.user, Activity.objects.select_related(
        "unit", "campaign", "created_by__staff", "demand", "project", "enterprise")) \
        .filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


@login_required
def activity_detail(request, pk):
    activity = _get(request, pk)
    return render(request, "console/activities/detail.html", {
        "activity": activity,
        "people": activity.people.select_related("staff__unit").order_by("staff__full_name"),
        "photos": activity.photos.all(),
        "files": activity.files.all(),
        "can_edit": actions.may_edit(request.user, activity),
        "demand_visible": activity.demand_id is not None and access.can(
            request.user, "demand.view", activity.demand),
    })


class RemoveForm(forms.Form):
    remove_photos = forms.MultipleChoiceField(required=False,
                                              widget=forms.CheckboxSelectMultiple)
    remove_files = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)


@login_required
def activity_edit(request, pk):
    activity = _get(request, pk)
    if not actions.may_edit(request.user, activity):
        raise PermissionDenied
    kind = activity.kind
    existing_photos = list(activity.photos.all())
    existing_files = list(activity.files.all())
    remove = RemoveForm(request.POST or None)
    remove.fields["remove_photos"].choices = [(str(p.pk), str(p.pk)) for p in existing_photos]
    remove.fields["remove_files"].choices = [(str(f.pk), f.name) for f in existing_files]
    form = ActivityForm(request.POST or None, request.FILES or None, kind=kind,
                        user=request.user, activity=activity,
                        initial=_instance_initial(activity))
    del form.fields["form_token"]
    if request.method == "POST" and form.is_valid() and remove.is_valid():
        try:
            actions.update(activity, form.action_fields(), form.cleaned_data["people"],
                           form.cleaned_data["photo_files"], form.cleaned_data["doc_files"],
                           by=request.user,
                           remove_photos=[int(pk) for pk in remove.cleaned_data["remove_photos"]],
                           remove_files=[int(pk) for pk in remove.cleaned_data["remove_files"]])
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, _t("已保存修改。"))
            return redirect("console:activity", pk=activity.pk)
    return render(request, "console/activities/form.html", {
        "form": form, "kind": kind, "creating": False, "activity": activity,
        "existing_photos": existing_photos, "existing_files": existing_files,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def activity_delete(request, pk):
    activity = _get(request, pk)
    try:
        actions.delete(activity, by=request.user)
    except ActionError as error:
        if error.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, error.message)
        return redirect("console:activity", pk=activity.pk)
    messages.success(request, _t("已删除这条记录，它不再计入目标进度。"))
    return redirect("console:activities")


@login_required
def activity_file(request, pk, file_id):
    """An attachment, for those who may see its record (the page's own rule)."""
    activity = _get(request, pk)
    attachment = activity.files.filter(pk=file_id).first()
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.name, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

