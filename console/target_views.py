"""The console's targets (目标任务, issue #12): every target of a campaign with one
progress bar per assignee and the pace mark (where the count should be by today), status
badges, sortable columns, a filter for those behind, the Excel export; creating and
changing targets for ``target.manage``. Rows are scoped like records (``activity.view``):
a unit sees its people and itself, the bureau-wide roles everybody. Each view: permission
→ validate → action or read model → respond. Design: docs/campaign.md."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from activities import actions, progress
from activities.models import ActivityKind, Target, TargetSubject
from activities.pace import BEHIND, DONE, NOT_STARTED, ON_PACE
from campaigns.models import Campaign
from campaigns.queries import latest_campaign
from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access
from org.models import Role, StaffProfile, Unit

SORTS = {"name", "done", "percent", "status"}
STATUS_ORDER = {BEHIND: 0, NOT_STARTED: 1, ON_PACE: 2, DONE: 3}


@dataclass
class Section:
    target: Target
    rows: list[progress.Row]
    total: int  # assignees in the viewer's scope before the 只看滞后 filter
    behind: int


def _campaign(request) -> Campaign | None:
    code = request.GET.get("campaign")
    campaign = Campaign.objects.filter(code=code).first() if code else None
    if code and campaign is None:
        messages.warning(request, _t("没有找到该创建活动，已显示当前活动。"))
    return campaign or latest_campaign()


def _sort_key(sort: str):
    if sort == "done":
        return lambda row: (row.done, row.assignee.name)
    if sort == "percent":
        return lambda row: (row.pace.percent, row.assignee.name)
    if sort == "status":
        return lambda row: (STATUS_ORDER[row.pace.status], row.pace.percent)
    return lambda row: (row.assignee.unit_path, row.assignee.name)


def sections(request, campaign: Campaign):
    """The page's targets and rows as the request's filters and sort ask."""
    user = request.user
    where = progress.visible_to(user)
    if request.GET.get("mine"):
        where = lambda assignee: assignee.user_id == user.pk  # noqa: E731
    targets = Target.objects.filter(campaign=campaign).order_by("kind", "id")
    wanted = request.GET.get("target") or ""
    if wanted.isdigit():
        targets = targets.filter(pk=int(wanted))
    targets = list(targets)
    all_rows = progress.rows(targets, timezone.localdate(), where)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "name"
    descending = request.GET.get("dir") == "desc"
    behind_only = bool(request.GET.get("behind"))
    grouped: dict[int, list[progress.Row]] = {target.pk: [] for target in targets}
    for row in all_rows:
        grouped[row.target.pk].append(row)
    out = []
    for target in targets:
        found = grouped[target.pk]
        shown = [row for row in found if row.behind] if behind_only else list(found)
        shown.sort(key=_sort_key(sort), reverse=descending)
        out.append(Section(target, shown, len(found), sum(1 for row in found if row.behind)))
    return out, sort, descending, behind_only


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return params.urlencode()


@login_required
def target_list(request):
    if not access.can_anywhere(request.user, "target.view"):
        raise PermissionDenied
    campaign = _campaign(request)
    if campaign is None:
        return render(request, "console/targets/list.html", {"campaign": None})
    found, sort, descending, behind_only = sections(request, campaign)
    headers = []
    for key, label in (("name", "对象"), ("done", "已完成"), ("percent", "完成比例"),
                       ("status", "状态")):
        active = key == sort
        direction = "asc" if active and descending else ("desc" if active else "asc")
        headers.append({"key": key, "label": label, "active": active,
                        "aria": ("descending" if descending else "ascending") if active
                        else "", "url": "?" + _query(request, sort=key, dir=direction)})
    return render(request, "console/targets/list.html", {
        "campaign": campaign, "sections": found, "headers": headers,
        "behind_only": behind_only, "mine": bool(request.GET.get("mine")),
        "today": timezone.localdate(),
        "campaigns": Campaign.objects.only("code", "name", "starts_on"),
        "toggle_behind": "?" + _query(request, behind="" if behind_only else "1"),
        "export_query": _query(request),
        "can_manage": actions.may_manage_targets(request.user),
        "filtered_target": request.GET.get("target", ""),
    })


EXPORT_COLUMNS = [
    ("目标任务", 40, lambda r: r.target.label),
    ("活动类型", 12, lambda r: r.target.get_kind_display()),
    ("期间", 24, lambda r: f"{r.target.period_start:%Y-%m-%d} 至 {r.target.period_end:%Y-%m-%d}"),
    ("对象", 16, lambda r: r.assignee.name),
    ("单位", 20, lambda r: r.assignee.unit_name),
    ("已完成", 8, lambda r: r.done),
    ("序时应完成", 10, lambda r: r.pace.required),
    ("目标次数", 8, lambda r: r.target.count),
    ("完成比例", 10, lambda r: f"{r.pace.percent}%"),
    ("状态", 10, lambda r: r.pace.label),
]


def _safe(value):
    """A cell never starts a formula (=, +, -, @): the sheet is opened by others."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@login_required
def targets_export(request):
    if not access.can_anywhere(request.user, "target.view"):
        raise PermissionDenied
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    found, *_rest = sections(request, campaign)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("目标进度")
    for index, (_name, width, _value) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for name, _width, _value in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for section in found:
        for row in section.rows:
            sheet.append([_safe(value(row)) for _name, _width, value in EXPORT_COLUMNS])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    book.save(spool)
    spool.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(spool, as_attachment=True, filename=f"目标进度-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")


# --- create, edit, delete ---------------------------------------------------------------
class TargetForm(Bootstrap, forms.Form):
    label = forms.CharField(label=_("目标名称"), max_length=100,
                            help_text=_("如：每位党组成员每年下基层挂钩帮扶不少于6次"))
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    count = forms.IntegerField(label=_("次数"))
    subject = forms.ChoiceField(label=_("对象"), choices=TargetSubject.choices)
    role = forms.ChoiceField(label=_("角色"), required=False,
                             choices=[("", "—"), *Role.choices],
                             help_text=_("对象为“角色”时选择：该角色的每个人各计一份。"))
    unit = forms.ChoiceField(label=_("单位"), required=False,
                             help_text=_("对象为“单位”时选择。"))
    user = forms.ChoiceField(label=_("人员"), required=False,
                             help_text=_("对象为“个人”时选择。"))
    period_start = forms.DateField(label=_("起始日期"), required=False,
                                   input_formats=["%Y-%m-%d"],
                                   widget=forms.DateInput(attrs={"type": "date"},
                                                          format="%Y-%m-%d"),
                                   help_text=_("留空为活动开始日期。"))
    period_end = forms.DateField(label=_("截止日期"), required=False, input_formats=["%Y-%m-%d"],
                                 widget=forms.DateInput(attrs={"type": "date"},
                                                        format="%Y-%m-%d"),
                                 help_text=_("留空为活动结束日期。"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *(
            (u.code, u.name) for u in Unit.objects.filter(is_active=True).order_by("path")
            .only("code", "name"))]
        self.fields["user"].choices = [("", "—"), *(
            (p.user.username, f"{p.full_name}（{p.unit.display_name}）")
            for p in StaffProfile.objects.filter(user__is_active=True)
            .select_related("user", "unit").order_by("unit__path", "full_name"))]


def _target_initial(target: Target) -> dict:
    return {"label": target.label, "kind": target.kind, "count": target.count,
            "subject": target.subject, "role": target.role,
            "unit": target.unit.code if target.unit_id else "",
            "user": target.user.username if target.user_id else "",
            "period_start": target.period_start, "period_end": target.period_end,
            "note": target.note}


def _target_form(request, campaign: Campaign, target: Target | None):
    initial = _target_initial(target) if target else {
        "period_start": campaign.starts_on, "period_end": campaign.ends_on}
    form = TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_target(campaign, form.cleaned_data, by=request.user,
                                        target=target)
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已保存目标任务“{saved.label}”。")
            return redirect(f"{_targets_url(campaign)}&target={saved.pk}")
    return render(request, "console/targets/form.html", {
        "form": form, "campaign": campaign, "target": target},
        status=400 if form.errors else 200)


def _targets_url(campaign: Campaign) -> str:
    return f"{reverse('console:targets')}?campaign={campaign.code}"


@login_required
def target_create(request):
    if not actions.may_manage_targets(request.user):
        raise PermissionDenied
    campaign = _campaign(request)
    if campaign is None:
        raise Http404
    return _target_form(request, campaign, None)


@login_required
def target_edit(request, pk):
    if not actions.may_manage_targets(request.user):
        raise PermissionDenied
    target = Target.objects.select_related("campaign", "unit", "user").filter(pk=pk).first()
    if target is None:
        raise Http404
    return _target_form(request, target.campaign, target)


@login_required
@require_POST
def target_delete(request, pk):
    if not actions.may_manage_targets(request.user):
        raise PermissionDenied
    target = Target.objects.select_related("campaign").filter(pk=pk).first()
    if target is None:
        raise Http404
    actions.delete_target(target, by=request.user)
    messages.success(request, f"已删除目标任务“{target.label}”。")
    return redirect(_targets_url(target.campaign))
