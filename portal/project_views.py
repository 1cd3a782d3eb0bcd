"""Practical projects and commitments on the portal (公示，接受群众监督): lists and detail
pages read from the one public view (``projects.public``); comments held for moderation
and ratings of completed projects, limited per phone, per device and per IP like
submissions (``portal/limits.py``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from demands.models import Level
from lib.errors import ActionError
from lib.forms import Bootstrap
from projects import public, public_actions
from projects.models import Commitment, Project

from . import limits


class CommentForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("称呼"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "nickname"}))
    phone = forms.CharField(label=_("手机号（不公开）"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))
    text = forms.CharField(label=_("留言"), max_length=public_actions.COMMENT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(Bootstrap, forms.Form):
    level = forms.TypedChoiceField(label=_("您对这个项目的评价"), coerce=int,
                                   choices=Level.choices, widget=forms.RadioSelect)
    phone = forms.CharField(label=_("手机号（每个号码评价一次，不公开）"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "tel"}))


def project_list(request):
    rows = public.projects()
    state = request.GET.get("state", "")
    if state:
        rows = rows.filter(state=state)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "portal/projects/list.html", {
        "page": page, "items": [public.masked_project(p) for p in page], "state": state,
        "satisfaction": public.project_satisfaction()})


def _device(request):
    device = limits.device_id(request)
    return device, device is None, device or limits.new_device()


def _finish(request, response, fresh, device):
    if fresh:
        limits.remember_device(request, response, device)
    return response


def project_detail(request, pk):
    item = public.project(pk)
    if item is None:
        raise Http404
    _old, fresh, device = _device(request)
    comment_form, rating_form = CommentForm(prefix="c"), RatingForm(prefix="r")
    status = 200
    if request.method == "POST":
        project = get_object_or_404(Project, pk=pk)
        if "rate" in request.POST:
            rating_form = RatingForm(request.POST, prefix="r")
            form, act = rating_form, lambda d: public_actions.rate(project, d["phone"],
                                                                   d["level"])
            done = "感谢您的评价。"
        else:
            comment_form = CommentForm(request.POST, prefix="c")
            form, act = comment_form, lambda d: public_actions.comment(
                project, d["name"], d["phone"], d["text"])
            done = "留言已提交，待审核；审核通过后在本页公开。"
        if form.is_valid():
            if not limits.may_comment(request, form.cleaned_data["phone"], device):
                return _finish(request, render(request, "portal/limited.html", {
                    "message": "提交过于频繁，请明天再试。"}, status=429), fresh, device)
            try:
                act(form.cleaned_data)
            except ActionError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                messages.success(request, done)
                return _finish(request, redirect("portal:project", pk=pk), fresh, device)
        status = 400
    response = render(request, "portal/projects/detail.html", {
        "item": item, "comment_form": comment_form, "rating_form": rating_form,
        "can_rate": item.state_code == "done",
        "can_comment": item.state_code != "cancelled"}, status=status)
    return _finish(request, response, fresh, device)


def commitment_list(request):
    rows = public.commitments()
    kind = request.GET.get("kind", "")
    if kind:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "portal/projects/commitments.html", {
        "page": page, "items": [public.masked_commitment(c) for c in page], "kind": kind})


def commitment_detail(request, pk):
    item = public.commitment(pk)
    if item is None:
        raise Http404
    _old, fresh, device = _device(request)
    form, status = CommentForm(prefix="c"), 200
    if request.method == "POST":
        form = CommentForm(request.POST, prefix="c")
        if form.is_valid():
            if not limits.may_comment(request, form.cleaned_data["phone"], device):
                return _finish(request, render(request, "portal/limited.html", {
                    "message": "提交过于频繁，请明天再试。"}, status=429), fresh, device)
            data = form.cleaned_data
            try:
                public_actions.comment(get_object_or_404(Commitment, pk=pk), data["name"],
                                       data["phone"], data["text"])
            except ActionError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                messages.success(request, "留言已提交，待审核；审核通过后在本页公开。")
                return _finish(request, redirect("portal:commitment", pk=pk), fresh, device)
        status = 400
    return _finish(request, render(request, "portal/projects/commitment.html", {
        "item": item, "comment_form": form}, status=status), fresh, device)
