"""Issuing a one-time notice (一次性告知单) to a named requester, recorded as proof."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from catalog import notices
from catalog.models import NoticeIssue, ServiceItem
from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access


class IssueForm(Bootstrap, forms.Form):
    item = forms.ModelChoiceField(label=_("事项"), queryset=ServiceItem.objects.filter(
        is_active=True), empty_label=_("请选择事项"))
    requester_name = forms.CharField(label=_("告知对象（姓名或单位）"), max_length=50)
    requester_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    note = forms.CharField(label=_("补充说明"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


def _may_issue(user) -> bool:
    return any(access.can_anywhere(user, capability) for capability in notices.ISSUERS)


@login_required
def notice_list(request):
    if not _may_issue(request.user):
        raise PermissionDenied
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = notices.issue(request.user, data["item"], data["requester_name"],
                                  data["requester_phone"], data["note"])
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("console:notice_detail", number=issue.number)
    issues = NoticeIssue.objects.filter(issued_by=request.user).select_related("item")[:30]
    return render(request, "console/notices.html", {"form": form, "issues": issues},
                  status=400 if form.errors else 200)


@login_required
def notice_detail(request, number):
    if not _may_issue(request.user):
        raise PermissionDenied
    issue = NoticeIssue.objects.select_related("item__unit").filter(number=number).first()
    if issue is None:
        raise Http404
    if request.GET.get("format") == "docx":
        response = HttpResponse(notices.docx_bytes(issue.item, issue), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        response["Content-Disposition"] = f'attachment; filename="{issue.number}.docx"'
        return response
    item = issue.item
    return render(request, "console/notice_detail.html", {
        "issue": issue, "item": item,
        "sections": [(title, item.lines(field)) for title, field in notices.SECTIONS]})
