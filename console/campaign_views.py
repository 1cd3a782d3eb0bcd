"""The console's campaigns (创建活动, issue #12): the list, the campaign page (its
document, leading group and office, phases with their requirements and filing counts),
creating and editing a campaign, its leading group, phases and requirements, and copying
it to another year. Each view: permission → validate → action → render.
Design: docs/campaign.md."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns import actions, status
from campaigns.dates import same_day_in
from campaigns.models import (
    Campaign,
    GroupPosition,
    LeadingGroupMember,
    Phase,
    Requirement,
    RequirementKind,
)
from campaigns.queries import phase_status
from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access
from org.models import StaffProfile, Unit

DATE = {"input_formats": ["%Y-%m-%d"],
        "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _view(user) -> None:
    if not access.can_anywhere(user, "campaign.view"):
        raise PermissionDenied


def _manage(user) -> None:
    if not actions.may_manage(user):
        raise PermissionDenied


def _campaign(user, code: str) -> Campaign:
    _view(user)
    return get_object_or_404(Campaign.objects.select_related("office_unit", "copied_from"),
                             code=code)


def _attach_error(form, error: ActionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- forms ------------------------------------------------------------------------------
class CampaignForm(Bootstrap, forms.Form):
    code = forms.SlugField(label=_("活动代码"), max_length=40,
                           help_text=_("网址中使用，如 sanmanyi-2026；小写字母、数字和连字符。"))
    name = forms.CharField(label=_("活动名称"), max_length=100)
    motto = forms.CharField(label=_("主题"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("开始日期"), **DATE)
    ends_on = forms.DateField(label=_("结束日期"), **DATE)
    office_unit = forms.ChoiceField(label=_("领导小组办公室设在"))
    description = forms.CharField(label=_("说明"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    participants = forms.MultipleChoiceField(
        label=_("参加单位"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("须报送实施方案和阶段材料的单位。新建时不选即为全部处室、局属单位和区分局。"))
    document = forms.FileField(
        label=_("活动实施方案（文件）"), required=False,
        help_text=_("PDF、Word、WPS 或 OFD，不超过 20 MB；上传新文件不会覆盖旧文件。"))

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(Unit.objects.filter(is_active=True).order_by("path")
                     .only("code", "name", "kind", "path"))
        self.fields["office_unit"].choices = [("", "—"), *((u.code, u.name) for u in units)]
        self.fields["participants"].choices = [
            (u.code, u.name) for u in units if u.kind in actions.PARTICIPANT_KINDS
            or (campaign is not None and u.code in self.initial.get("participants", ()))]
        self.fields["participants"].widget.attrs["class"] = "form-check-input"
        self.fields["document"].widget.attrs["accept"] = ".pdf,.doc,.docx,.wps,.ofd"
        if campaign is not None:
            del self.fields["code"]


def _campaign_initial(campaign: Campaign) -> dict:
    return {"name": campaign.name, "motto": campaign.motto, "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on, "office_unit": campaign.office_unit.code,
            "description": campaign.description,
            "participants": list(campaign.participants.values_list("code", flat=True))}


class GroupMemberForm(Bootstrap, forms.Form):
    user = forms.ChoiceField(label=_("成员"))
    position = forms.ChoiceField(label=_("职务"), choices=GroupPosition.choices)
    responsibility = forms.CharField(label=_("分工"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—"), *(
            (str(p.user_id), f"{p.full_name}（{p.unit.display_name}）")
            for p in StaffProfile.objects.filter(user__is_active=True)
            .select_related("unit").order_by("unit__path", "full_name"))]


class PhaseForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("阶段名称"), max_length=30)
    starts_on = forms.DateField(label=_("开始日期"), **DATE)
    ends_on = forms.DateField(label=_("结束日期"), **DATE)
    description = forms.CharField(label=_("工作要求"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class RequirementForm(Bootstrap, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=RequirementKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    due_on = forms.DateField(label=_("报送截止日期"), required=False,
                             help_text=_("实施方案、工作总结、整改计划填写。"), **DATE)
    due_day = forms.IntegerField(
        label=_("次月报送日"), required=False, min_value=1, max_value=28,
        help_text=_("月度进展填写：每月进展于次月几日前报送（1–28），默认 5 日。"))
    guidance = forms.CharField(label=_("报送要求"), max_length=5000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class CopyForm(Bootstrap, forms.Form):
    starts_on = forms.DateField(
        label=_("新活动开始日期"), **DATE,
        help_text=_("与原活动同月同日则按整年顺延（2月29日在平年为2月28日），否则各日期按相差天数顺延。"))
    code = forms.SlugField(label=_("新活动代码"), max_length=40)
    name = forms.CharField(label=_("新活动名称"), max_length=100)


# --- pages ------------------------------------------------------------------------------
@login_required
def campaign_list(request):
    _view(request.user)
    today = timezone.localdate()
    campaigns = Campaign.objects.select_related("office_unit", "copied_from") \
        .order_by("-starts_on")
    rows = [(c, "current" if c.starts_on <= today <= c.ends_on else
             "upcoming" if today < c.starts_on else "done") for c in campaigns]
    return render(request, "console/campaigns/list.html", {
        "rows": rows, "can_manage": actions.may_manage(request.user)})


@login_required
def campaign_create(request):
    _manage(request.user)
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = actions.create_campaign(data, by=request.user,
                                               document=data["document"],
                                               participants=data["participants"] or None)
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, f"已创建“{campaign.name}”。")
            return redirect("console:campaign", code=campaign.code)
    return render(request, "console/campaigns/form.html", {"form": form, "campaign": None},
                  status=400 if form.errors else 200)


@login_required
def campaign_detail(request, code):
    campaign = _campaign(request.user, code)
    today = timezone.localdate()
    can_view_filings = access.can_anywhere(request.user, "plan.view")
    phases = []
    for phase in campaign.phases.prefetch_related("requirements"):
        board = status.board(phase, today, request.user) if can_view_filings else None
        phases.append({"phase": phase, "state": phase_status(phase, today),
                       "requirements": list(phase.requirements.all()), "board": board})
    return render(request, "console/campaigns/detail.html", {
        "campaign": campaign, "phases": phases,
        "document": campaign.documents.select_related("uploaded_by__staff").first(),
        "older_documents": list(campaign.documents.select_related("uploaded_by__staff")[1:]),
        "group": campaign.leading_group.select_related("user__staff__unit"),
        "participants": campaign.participants.order_by("path"),
        "can_manage": actions.may_manage(request.user),
        "can_view_filings": can_view_filings,
        "copies": campaign.copies.order_by("starts_on"),
    })


@login_required
def campaign_document(request, code, pk):
    """The campaign's document, for staff who see campaigns (never public)."""
    campaign = _campaign(request.user, code)
    document = campaign.documents.filter(pk=pk).first()
    if document is None:
        raise Http404
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=document.name, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def campaign_edit(request, code):
    campaign = _campaign(request.user, code)
    _manage(request.user)
    form = CampaignForm(request.POST or None, request.FILES or None, campaign=campaign,
                        initial=_campaign_initial(campaign))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_campaign(campaign, data, by=request.user, document=data["document"],
                                    participants=data["participants"])
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, _t("已保存修改。"))
            return redirect("console:campaign", code=campaign.code)
    members = list(campaign.leading_group.select_related("user__staff__unit"))
    return render(request, "console/campaigns/form.html", {
        "form": form, "campaign": campaign, "members": members,
        "positions": GroupPosition.choices, "group_form": GroupMemberForm(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def campaign_group(request, code):
    """Add, change or remove a member of the leading group (POST from the edit page)."""
    campaign = _campaign(request.user, code)
    _manage(request.user)
    operation = request.POST.get("op")
    try:
        if operation == "add":
            form = GroupMemberForm(request.POST)
            if not form.is_valid():
                raise ActionError("invalid", " ".join(
                    str(e) for errors in form.errors.values() for e in errors))
            actions.add_group_member(campaign, form.cleaned_data["user"],
                                     form.cleaned_data["position"],
                                     form.cleaned_data["responsibility"], by=request.user)
            messages.success(request, _t("已增加领导小组成员。"))
        else:
            member = get_object_or_404(LeadingGroupMember, campaign=campaign,
                                       pk=request.POST.get("member") or 0)
            if operation == "remove":
                actions.remove_group_member(member, by=request.user)
                messages.success(request, _t("已移出领导小组。"))
            else:
                actions.update_group_member(member, request.POST.get("position"),
                                            request.POST.get("responsibility", ""),
                                            by=request.user)
                messages.success(request, _t("已保存领导小组成员。"))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(f"{reverse('console:campaign_edit', args=[campaign.code])}#group")


def _next_code(code: str, year: int, following: int) -> str:
    """sanmanyi-2025 → sanmanyi-2026; a code without its year gets one."""
    return code.replace(str(year), str(following)) if str(year) in code \
        else f"{code}-{following}"[:40]


@login_required
def campaign_copy(request, code):
    campaign = _campaign(request.user, code)
    _manage(request.user)
    following = same_day_in(campaign.starts_on, campaign.starts_on.year + 1)
    form = CopyForm(request.POST or None, initial={
        "starts_on": following, "name": campaign.name,
        "code": _next_code(campaign.code, campaign.starts_on.year, following.year)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            copy = actions.copy_campaign(campaign, data["starts_on"], data["code"], data["name"],
                                         by=request.user)
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, f"已复制为“{copy.name}”，请核对各阶段日期和目标任务。")
            return redirect("console:campaign", code=copy.code)
    return render(request, "console/campaigns/copy.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


@login_required
def phase_edit(request, code, pk=None):
    campaign = _campaign(request.user, code)
    _manage(request.user)
    phase = get_object_or_404(Phase, campaign=campaign, pk=pk) if pk else None
    initial = {} if phase is None else {
        "name": phase.name, "starts_on": phase.starts_on, "ends_on": phase.ends_on,
        "description": phase.description}
    form = PhaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            phase = actions.save_phase(campaign, form.cleaned_data, by=request.user, phase=phase)
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, f"已保存阶段“{phase.name}”。")
            return redirect("console:campaign", code=campaign.code)
    return render(request, "console/campaigns/phase_form.html", {
        "form": form, "campaign": campaign, "phase": phase,
        "requirements": list(phase.requirements.all()) if phase else [],
    }, status=400 if form.errors else 200)


@login_required
def requirement_edit(request, code, phase_pk, pk=None):
    campaign = _campaign(request.user, code)
    _manage(request.user)
    phase = get_object_or_404(Phase, campaign=campaign, pk=phase_pk)
    requirement = get_object_or_404(Requirement, phase=phase, pk=pk) if pk else None
    initial = {"kind": RequirementKind.PLAN, "due_day": 5} if requirement is None else {
        "kind": requirement.kind, "title": requirement.title, "due_on": requirement.due_on,
        "due_day": requirement.due_day, "guidance": requirement.guidance}
    form = RequirementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            requirement = actions.save_requirement(phase, form.cleaned_data, by=request.user,
                                                   requirement=requirement)
        except ActionError as error:
            _attach_error(form, error)
        else:
            messages.success(request, f"已保存报送要求“{requirement.title}”。")
            return redirect("console:campaign", code=campaign.code)
    return render(request, "console/campaigns/requirement_form.html", {
        "form": form, "campaign": campaign, "phase": phase, "requirement": requirement,
    }, status=400 if form.errors else 200)
