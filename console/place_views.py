"""The gazetteer in the console (地名库, docs/places.md): list and search, add and edit,
confirm what was grown from the demands, merge one place into another."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access
from places import actions
from places.models import Place, PlaceKind


class PlaceForm(Bootstrap, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=40)
    kind = forms.ChoiceField(label=_("类型"), choices=PlaceKind.choices)
    aliases = forms.CharField(label=_("别名"), required=False, max_length=400,
                              help_text=_("多个别名用顿号、逗号或空格分开，如：幸福菜场、老菜场"))
    district = forms.CharField(label=_("所在区县"), required=False, max_length=20)
    longitude = forms.CharField(label=_("经度"), required=False, max_length=20)
    latitude = forms.CharField(label=_("纬度"), required=False, max_length=20)
    confirmed = forms.BooleanField(label=_("已确认（用于识别）"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class FilterForm(Bootstrap, forms.Form):
    q = forms.CharField(label=_("名称"), required=False, max_length=40)
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部类型")), *PlaceKind.choices])
    confirmed = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部")), ("yes", _("已确认")), ("no", _("待确认"))])


def _require(user):
    if not access.can_anywhere(user, "place.edit"):
        raise PermissionDenied


def _split(text: str) -> list[str]:
    for mark in "、，,；;":
        text = text.replace(mark, " ")
    return text.split()


@login_required
def place_list(request):
    _require(request.user)
    filters = FilterForm(request.GET or None)
    rows = Place.objects.all()
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            rows = rows.filter(Q(name__contains=data["q"]) | Q(aliases__icontains=data["q"]))
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["confirmed"]:
            rows = rows.filter(confirmed=data["confirmed"] == "yes")
    rows = rows.order_by("confirmed", "-demand_count", "kind", "name")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "console/places/list.html", {
        "filters": filters, "page": page, "form": PlaceForm(),
        "waiting": Place.objects.filter(confirmed=False).count()})


@login_required
def place_edit(request, pk=None):
    _require(request.user)
    place = get_object_or_404(Place, pk=pk) if pk else None
    initial = {}
    if place is not None:
        initial = {"name": place.name, "kind": place.kind, "aliases": "、".join(place.aliases),
                   "district": place.district, "longitude": place.longitude or "",
                   "latitude": place.latitude or "", "confirmed": place.confirmed,
                   "is_active": place.is_active}
    form = PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.save_place(request.user, place, name=data["name"],
                                       kind=data["kind"], aliases=_split(data["aliases"]),
                                       district=data["district"],
                                       longitude=data["longitude"], latitude=data["latitude"],
                                       confirmed=data["confirmed"],
                                       is_active=data["is_active"])
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _t("已保存“%(name)s”。识别以后提到它的诉求；已有诉求可在"
                                         "下方“重新识别”。") % {"name": saved.name})
            return redirect("console:places")
    others = Place.objects.exclude(pk=place.pk).order_by("name") if place else []
    return render(request, "console/places/edit.html", {
        "form": form, "place": place, "others": others},
        status=400 if form.errors else 200)


@login_required
@require_POST
def place_merge(request, pk):
    _require(request.user)
    place = get_object_or_404(Place, pk=pk)
    into = Place.objects.filter(pk=request.POST.get("into") or 0).first()
    if into is None:
        messages.error(request, _t("请选择要并入的地名。"))
        return redirect("console:place_edit", pk=pk)
    try:
        merged = actions.merge(request.user, place, into)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("console:place_edit", pk=pk)
    messages.success(request, _t("“%(old)s”已并入“%(new)s”，成为它的别名。")
                     % {"old": place.name, "new": merged.name})
    return redirect("console:place_edit", pk=merged.pk)


@login_required
@require_POST
def place_grow(request):
    _require(request.user)
    made = actions.grow(request.user)
    messages.success(request, _t("从诉求中找到 %(count)d 个新地名，待确认。") % {"count": made})
    return redirect(reverse("console:places") + "?confirmed=no")


@login_required
@require_POST
def place_rescan(request):
    _require(request.user)
    done = actions.rescan()
    messages.success(request, _t("已重新识别 %(count)d 条诉求中的地名。") % {"count": done})
    return redirect("console:places")
