"""File import pages: upload, preview and column mapping, progress, error report."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from catalog.models import Category, Urgency
from demands.models import Channel, RequesterKind
from imports import jobs, runner
from imports.mapping import source_named
from imports.models import FIELDS, REQUIRED_FIELDS, Job, JobState, Source
from imports.reports import error_report
from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access


class UploadForm(Bootstrap, forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv，UTF-8 或 GBK 编码）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}))
    source = forms.CharField(label=_("来源名称"), max_length=50, initial="12345热线",
                             help_text=_("同一来源的文件沿用上次的列对应关系。"),
                             widget=forms.TextInput(attrs={"list": "import-sources"}))
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices,
                                initial=Channel.HOTLINE_12345)
    default_kind = forms.ChoiceField(label=_("文件未写明时的诉求人类型"),
                                     choices=RequesterKind.choices,
                                     initial=RequesterKind.CITIZEN)
    default_category = forms.ModelChoiceField(
        label=_("文件未写明时的类别"), required=False,
        empty_label=_("（无：未写明的进入“待分类”）"),
        queryset=Category.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent").order_by("parent__sort_order", "sort_order"))


class MappingForm(Bootstrap, forms.Form):
    def __init__(self, headers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("（不导入）")), *((h, h) for h in headers)]
        for field, label in FIELDS.items():
            required = field in REQUIRED_FIELDS or field == "received_at"
            self.fields[field] = forms.ChoiceField(
                label=f"{label}{' *' if required else ''}", choices=choices, required=False)
            self.fields[field].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["auto_category"] = forms.IntegerField(
            label=_("智能分类置信度（%）"), required=False, min_value=50, max_value=99,
            help_text=_("无类别的诉求由分类模型判定，不低于此置信度的直接归类，其余进入“待分类”；"
                        "留空则全部进入“待分类”。"))
        self.fields["auto_category"].widget.attrs.update({"class": "form-control form-control-sm",
                                                          "placeholder": _("不自动分类")})


def _require(user):
    if not access.can_anywhere(user, "import.run"):
        raise PermissionDenied


@login_required
def import_list(request):
    _require(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            source = source_named(data["source"], channel=data["channel"],
                                  default_kind=data["default_kind"],
                                  default_category=data["default_category"])
            job = jobs.upload(request.user, source, upload, upload.name)
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else "file", error.message)
        else:
            return redirect("console:import_detail", pk=job.pk)
    recent = Job.objects.select_related("source", "created_by__staff")[:30]
    return render(request, "console/imports.html", {
        "form": form, "jobs": recent, "sources": Source.objects.all()},
        status=400 if form.errors else 200)


def _job(user, pk) -> Job:
    _require(user)
    return get_object_or_404(Job.objects.select_related("source"), pk=pk)


@login_required
def import_detail(request, pk):
    job = _job(request.user, pk)
    if job.state != JobState.DRAFT:
        return render(request, "console/import_detail.html", {
            "job": job, "errors": job.errors.all()[:50]})
    form = MappingForm(job.headers, request.POST or None, initial=job.mapping)
    mapping = job.mapping
    problem = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        percent = data.pop("auto_category", None)
        mapping = {field: column for field, column in data.items() if column}
        if "preview" not in request.POST:
            try:
                jobs.confirm(request.user, job, mapping,
                             auto_category=percent / 100 if percent else None)
            except ActionError as error:
                problem = error.message
            else:
                return redirect("console:import_detail", pk=job.pk)
    try:
        headers, rows = runner.preview(job, mapping)
    except ActionError as error:
        headers, rows, problem = job.headers, [], error.message
    shown = [field for field in FIELDS if mapping.get(field) in headers]
    return render(request, "console/import_mapping.html", {
        "job": job, "form": form, "problem": problem,
        "fields": [(field, FIELDS[field], mapping[field]) for field in shown],
        "rows": [_preview_row(row, shown, headers, mapping) for row in rows]},
        status=400 if problem else 200)


def _preview_row(row, fields, headers, mapping) -> dict:
    """One line of the preview, a cell under each field's header: the value the import
    would write, or for a refused row the file's own cell, the one in error marked."""
    error = row.error
    column = mapping.get(error.field) if error is not None else None
    cells = []
    for field in fields:
        if error is None:
            text = _imported_value(row, field)
        else:
            text = row.cells[headers.index(mapping[field])]
        cells.append((text, error is not None and mapping[field] == column))
    return {"number": row.number, "cells": cells, "error": error and error.message,
            "column": column}


def _imported_value(row, field) -> str:
    if field == "received_at":
        return timezone.localtime(row.item.received_at).strftime("%Y-%m-%d %H:%M")
    if field == "number":
        return row.item.number
    value = row.fields[field]
    if field == "requester_kind":
        value = RequesterKind(value).label
    elif field == "urgency":
        value = Urgency(value).label
    return "" if value is None else str(value)


@login_required
def import_progress(request, pk):
    job = _job(request.user, pk)
    response = render(request, "console/_import_progress.html", {"job": job})
    if job.finished:
        response["HX-Refresh"] = "true"  # show the final figures and the errors
    return response


@login_required
def import_errors(request, pk):
    job = _job(request.user, pk)
    response = HttpResponse(error_report(job), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (
        f"attachment; filename=\"import-{job.pk}-errors.xlsx\"; "
        f"filename*=UTF-8''import-{job.pk}-%E5%87%BA%E9%94%99%E8%A1%8C.xlsx")
    return response


@login_required
@require_POST
def import_resume(request, pk):
    job = _job(request.user, pk)
    try:
        jobs.resume(request.user, job)
    except ActionError as error:
        return HttpResponse(error.message, status=409)
    return redirect(reverse("console:import_detail", args=[job.pk]))
