"""Hotspots of recent demands (list, trend sparklines, map) and the practical-project
drafts a leader makes from one. Each view: permission → validate → query or action →
respond."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from demands.models import Demand
from insights import hotspots, topics
from lib.errors import ActionError
from lib.forms import Bootstrap
from org import access
from projects import actions as project_actions

TOP = 20
MAX_WINDOW_DAYS = 366


class WindowForm(Bootstrap, forms.Form):
    since = forms.DateField(label=_("开始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("结束日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        since, until = hotspots.window(data.get("since"), data.get("until"))
        if since > until:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        if (until - since).days >= MAX_WINDOW_DAYS:
            raise forms.ValidationError(_("时间跨度不能超过一年。"))
        data["since"], data["until"] = since, until
        return data


class DraftForm(Bootstrap, forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(required=False, max_length=300)
    demand_ids = forms.CharField(max_length=200_000)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)


def visible_hotspots(user, since: dt.date, until: dt.date) -> hotspots.Hotspots:
    """The hotspots of the demands this user may see; cached per scope and window (the
    clustering of a busy month takes seconds)."""
    scope = access.filter_for(user, "demand.view", Demand.objects.all())
    seconds = settings.HOTSPOT_CACHE_SECONDS
    if not seconds:
        return hotspots.find(since, until, top=TOP, queryset=scope)
    key = f"hotspots:{access.scope_key(user, 'demand.view')}:{since}:{until}:{TOP}"
    found = cache.get(key)
    if found is None:
        found = hotspots.find(since, until, top=TOP, queryset=scope)
        cache.set(key, found, seconds)
    return found


def _topics(user, since: dt.date, until: dt.date) -> list:
    """The hot topics (named place or point, by heat) this user may see; cached as the
    hotspots are."""
    scope = access.filter_for(user, "demand.view", Demand.objects.all())
    seconds = settings.HOTSPOT_CACHE_SECONDS
    if not seconds:
        return topics.find(since, until, top=TOP, queryset=scope)
    key = f"topics:{access.scope_key(user, 'demand.view')}:{since}:{until}:{TOP}"
    found = cache.get(key)
    if found is None:
        found = topics.find(since, until, top=TOP, queryset=scope)
        cache.set(key, found, seconds)
    return found


def _suggested_title(spot) -> str:
    return _t("%(words)s问题整治") % {"words": "、".join(spot.keywords[:3])}


@login_required
def hotspot_list(request):
    if not access.can_anywhere(request.user, "hotspot.view"):
        raise PermissionDenied
    form = WindowForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "console/hotspots.html", {"form": form, "found": None},
                      status=400)
    since, until = (form.cleaned_data["since"], form.cleaned_data["until"]) if form.is_bound \
        else hotspots.window()
    found = visible_hotspots(request.user, since, until)
    hot = _topics(request.user, since, until)
    rows = []
    chart = []
    for rank, spot in enumerate(found, 1):
        rows.append({"rank": rank, "spot": spot, "title": _suggested_title(spot),
                     "ids": ",".join(str(pk) for pk in spot.demand_ids),
                     "keywords": "、".join(spot.keywords)})
        chart.append({"rank": rank, "label": spot.label, "size": spot.size,
                      "counts": spot.trend.counts,
                      "days": [f"{day:%m-%d}" for day in spot.trend.starts],
                      "centre": spot.centre, "points": spot.points,
                      "direction": spot.trend.direction})
    return render(request, "console/hotspots.html", {
        "form": form, "found": found, "rows": rows, "chart": chart, "topics": [
            {"topic": t, "ids": ",".join(str(d.id) for d in t.demands),
             "title": _t("%(place)s%(words)s问题整治") % {
                 "place": t.place, "words": "、".join(t.keywords[:2])}} for t in hot],
        "since": since, "until": until,
        "can_draft": access.can_anywhere(request.user, "hotspot.to_project"),
        "tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    })


@login_required
@require_POST
def draft_create(request):
    if not access.can_anywhere(request.user, "hotspot.to_project"):
        raise PermissionDenied
    form = DraftForm(request.POST)
    back = reverse("console:hotspots")
    if not form.is_valid():
        messages.error(request, _t("请填写项目名称，并附上热点的诉求。"))
        return redirect(back)
    data = form.cleaned_data
    if data["since"] and data["until"]:
        back += "?" + urlencode({"since": data["since"], "until": data["until"]})
    try:
        project = project_actions.create(
            request.user, source="hotspot", title=data["title"],
            background=data["description"],
            keywords=[w for w in data["keywords"].split("、") if w.strip()],
            demand_ids=[pk for pk in data["demand_ids"].split(",") if pk.strip()],
            since=data["since"], until=data["until"])
    except ActionError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, _t("已生成实事项目“%(title)s”（草稿），附诉求 %(count)d 条。")
                     % {"title": project.title, "count": project.demands.count()})
    return redirect("console:project", pk=project.pk)
