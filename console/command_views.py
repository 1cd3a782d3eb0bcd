"""The leaders' command dashboard (指挥大屏, issue #13; docs/supervision.md section 5): the
three satisfaction rates of the month with their twelve-month trend and by unit, the
on-time rate, open overdue and warnings, hotspots on a map, practical projects and
targets behind schedule — every number a link to the list behind it. ``?wall=1`` is the
full-screen layout for the command-centre wall, which fetches ``command_data`` again
every ``COMMAND_REFRESH_SECONDS``.

Whose figures: the demand figures are those of the viewer's ``demand.kpi`` scope (a
leader, the office, the Party committee, the supervision office: the bureau; a unit head:
their unit), computed by ``demands.kpis`` only. The other panels count what the page they
link to shows the viewer (the project list's 只看逾期, the targets page's 只看滞后, the
hotspot page), so a number always equals the list behind it.

Each view: permission → (nothing to validate) → read models → respond.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from activities import progress
from activities.models import Target
from assessment import queries as assessment_queries
from assessment.models import Score
from campaigns.queries import latest_campaign
from demands import kpis
from demands.models import RequesterKind
from insights import hotspots
from org import access
from org.models import Unit, UnitKind
from projects.models import Project
from supervision import queries as supervision_queries
from supervision.models import SupervisionOrder

from .hotspot_views import visible_hotspots
from .project_views import overdue_q, with_progress

KINDS = ("citizen", "grassroots", "enterprise")
LIST_LENGTH = 5  # rows of each list panel (projects, targets, hotspots)
MAP_SPOTS = 10  # hotspots drawn on the map
# units that never own a demand: not ranked
NOT_RANKED = (UnitKind.OFFICE, UnitKind.BRANCH)


# --- whose figures -------------------------------------------------------------------------
def _scope(user) -> tuple[access.Scope, list[Unit]]:
    """The viewer's ``demand.kpi`` scope and its units (none: the whole bureau)."""
    where = access.scope(user, "demand.kpi")
    if where.everything:
        return where, []
    return where, list(Unit.objects.filter(path__in=where.paths).order_by("path"))


def _ranked_units(scope_units: list[Unit]) -> list[Unit]:
    """The units compared on the board: for the bureau, the units directly under it that
    own demands; for a unit head, their unit (its whole subtree) and the units under it."""
    if scope_units:
        parents = [unit.pk for unit in scope_units]
        children = Unit.objects.filter(parent_id__in=parents, is_active=True) \
            .exclude(kind__in=NOT_RANKED).order_by("path")
        return [*scope_units, *children]
    return list(Unit.objects.filter(parent__parent__isnull=True, parent__isnull=False,
                                    is_active=True).exclude(kind__in=NOT_RANKED)
                .order_by("sort_order", "path"))


def _scope_label(scope_units: list[Unit]) -> str:
    if not scope_units:
        return _("全局")
    return "、".join(unit.display_name for unit in scope_units)


# --- the pieces ----------------------------------------------------------------------------
def _rate(rate: kpis.Rate, url: str) -> dict:
    return {"value": str(rate), "percent": rate.percent, "numerator": rate.numerator,
            "denominator": rate.denominator, "url": url}


def _demand_figures(source: kpis.Rollup, demands, scope_units, scope_key, now) -> dict:
    """The month's tiles, the twelve-month trend and the units, from ``demands.kpis``."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    start, end = kpis.month_bounds(year, month)
    # a records_url of one unit is that unit's subtree, exactly the scope. A scope of
    # several subtrees (a rare double grant) cannot be named in one link: its lists show
    # the viewer's whole sight, which may add demands they first received elsewhere.
    unit = scope_units[0] if len(scope_units) == 1 else None
    memo: dict = {}  # today's demands read once for the figures and the units
    data = kpis.cached_dashboard(scope_key, source, year, month, "unit", now=now, memo=memo)
    figures = data["figures"]

    def records(figure, first=start, last=end, part=None, of=unit):
        return kpis.records_url(figure, first, last, unit=of, part=part)

    queue = reverse("console:demand_list")
    unit_query = f"&{urlencode({'unit': unit.pk})}" if unit is not None else ""
    tiles = []
    for kind in KINDS:
        figure = f"satisfaction_{kind}"
        rate = figures[figure]
        tiles.append({
            "key": kind, "label": _("%(kind)s满意率") % {"kind": RequesterKind(kind).label},
            **_rate(rate, records(figure)),
            "extra": {"label": _("不满意"), "count": rate.denominator - rate.numerator,
                      "url": records(figure, part="miss")},
            "definition": f"{kpis.DEFINITIONS[figure]} {kpis.DEFINITIONS['satisfaction']}"})
    tiles.append({"key": "on_time", "label": _("按时办结率"),
                  **_rate(figures["on_time"], records("on_time")),
                  "extra": {"label": _("超期"), "count": figures["overdue"],
                            "url": records("overdue")},
                  "definition": kpis.DEFINITIONS["on_time"]})
    # the live counts: what the queues 已超期 and 即将超期 hold now (the month's figures,
    # when computed for this very request, counted the overdue ones already)
    open_overdue = figures["open_overdue"] if data["computed_at"] == now \
        else demands.overdue(now).count()
    tiles.append({"key": "open_overdue", "label": _("当前超期"),
                  "value": str(open_overdue),
                  "url": f"{queue}?queue=overdue{unit_query}",
                  "definition": kpis.DEFINITIONS["open_overdue"]})
    tiles.append({"key": "warning", "label": _("即将超期"),
                  "value": str(demands.warning(now).count()),
                  "url": f"{queue}?queue=warning{unit_query}",
                  "definition": _("即将超期：正在办理、已到预警时间、尚未超过承诺时限的"
                                  "诉求数（实时）。")})
    for tile in tiles[-2:]:
        tile["alarm"] = tile["value"] != "0"

    trend_rows = {key: figs for key, _label, figs in data["trend"]}
    months, series, urls = [], {kind: [] for kind in KINDS}, {kind: [] for kind in KINDS}
    first = year * 12 + month - 12  # eleven months back, this one last
    for index in range(first, first + 12):
        day = dt.date(index // 12, index % 12 + 1, 1)
        bounds = kpis.month_bounds(day.year, day.month)
        months.append(f"{day:%Y-%m}")
        figs = trend_rows.get(day) or kpis.empty()
        for kind in KINDS:
            series[kind].append(figs[f"satisfaction_{kind}"].percent)
            urls[kind].append(records(f"satisfaction_{kind}", *bounds))

    ranked = _ranked_units(scope_units)
    by_unit = _unit_figures(scope_key, ranked, year, month, start, end, now, source, memo)
    units = []
    for ranked_unit in ranked:
        figs = by_unit[ranked_unit.pk]
        units.append({
            "name": ranked_unit.display_name,
            "satisfaction": _rate(figs["satisfaction"], records("satisfaction", of=ranked_unit)),
            "on_time": _rate(figs["on_time"], records("on_time", of=ranked_unit)),
            "overdue": {"count": figs["overdue"], "url": records("overdue", of=ranked_unit)},
        })
    # best first; a unit without evaluations last (its "—" is no rank)
    units.sort(key=lambda row: (row["satisfaction"]["percent"] is None,
                                -(row["satisfaction"]["percent"] or 0),
                                -(row["on_time"]["percent"] or 0)))
    return {"period": _("%(year)d年%(month)d月") % {"year": year, "month": month},
            "computed_at": timezone.localtime(data["computed_at"]).strftime("%H:%M"),
            "tiles": tiles, "trend": {"months": months, "series": series, "urls": urls},
            "units": units}


def _unit_figures(scope_key, units, year, month, start, end, now, source, memo) -> dict:
    """``kpis.unit_figures``, cached as the dashboard's figures are (the units lie in the
    scope ``source``: its reading of today's demands is shared through ``memo``)."""
    seconds = settings.KPI_CACHE_SECONDS
    if not seconds:
        return kpis.unit_figures(units, start, end, now=now, source=source, memo=memo)
    ids = ",".join(str(unit.pk) for unit in units)
    digest = hashlib.sha256(f"{scope_key}|{ids}".encode()).hexdigest()[:16]
    key = f"sanmanyi:command:v1:{digest}:{year}-{month:02d}:units"
    found = cache.get(key)
    if found is None:
        found = kpis.unit_figures(units, start, end, now=now, source=source, memo=memo)
        cache.set(key, found, timeout=seconds * 3)
    return found


def _hotspots(user) -> dict | None:
    """The hotspot page's hotspots of its default window (the same cached result)."""
    if not access.can_anywhere(user, "hotspot.view"):
        return None
    since, until = hotspots.window()
    found = visible_hotspots(user, since, until)
    page = f"{reverse('console:hotspots')}?{urlencode({'since': since, 'until': until})}"
    spots = [{"rank": rank, "label": spot.label or _("（无关键词）"), "size": spot.size,
              "centre": spot.centre, "points": spot.points, "direction": spot.trend.direction,
              "url": f"{page}#hotspot-{rank}"}
             for rank, spot in enumerate(found[:MAP_SPOTS], 1)]
    items = [{"label": f"{spot['rank']}. {spot['label']}",
              "value": _("%(count)d 条") % {"count": spot["size"]},
              "note": found[spot["rank"] - 1].trend.direction_label, "url": spot["url"]}
             for spot in spots[:LIST_LENGTH]]
    return {"count": len(found), "in_window": found.in_window, "url": page,
            "since": f"{since:%m-%d}", "until": f"{until:%m-%d}", "spots": spots,
            "items": items}


def _projects(user) -> dict:
    """Practical projects past their deadline or a milestone's: the project list's 只看逾期."""
    late = access.filter_for(user, "project.view", Project.objects.all()).filter(overdue_q())
    items = []
    for project in with_progress(late).order_by("deadline", "pk")[:LIST_LENGTH]:
        if project.overdue_flag:
            note = _("逾期：完成时限 %(date)s") % {"date": f"{project.deadline:%Y-%m-%d}"}
        else:
            note = _("里程碑逾期")
        unit = project.responsible_unit.display_name if project.responsible_unit else ""
        items.append({"label": project.title, "note": f"{unit} · {note}" if unit else note,
                      "value": _("进度 %(done)d/%(count)d") % {
                          "done": project.milestones_done, "count": project.milestone_count},
                      "url": project.get_absolute_url()})
    return {"count": late.count(), "items": items,
            "url": f"{reverse('console:project_list')}?overdue=on"}


def _targets(user, today: dt.date) -> dict | None:
    """Targets behind pace in the targets page's campaign, as its 只看滞后 lists them."""
    campaign = latest_campaign()
    if campaign is None:
        return None
    targets = list(Target.objects.filter(campaign=campaign).order_by("kind", "id"))
    behind = [row for row in progress.rows(targets, today, progress.visible_to(user))
              if row.behind]
    per_target = Counter(row.target.pk for row in behind)
    page = reverse("console:targets")
    items = []
    for target in sorted(targets, key=lambda t: (-per_target[t.pk], t.pk)):
        if not per_target[target.pk] or len(items) == LIST_LENGTH:
            continue
        query = urlencode({"campaign": campaign.code, "target": target.pk, "behind": 1})
        items.append({"label": target.label, "value": str(per_target[target.pk]),
                      "note": _("%(count)d 人（单位）进度滞后") % {"count": per_target[target.pk]},
                      "url": f"{page}?{query}"})
    query = urlencode({"campaign": campaign.code, "behind": 1})
    return {"count": len(behind), "items": items, "url": f"{page}?{query}",
            "campaign": campaign.name}


def _overdue(demands, tile: dict, now) -> dict:
    """The open demands longest past their deadline (the queue 已超期, oldest first): on
    the board of whoever has no hotspot map, a unit head above all."""
    items = []
    for demand in demands.overdue(now).select_related("current_unit").order_by(
            "deadline", "pk")[:LIST_LENGTH + 3]:
        hours = int((now - demand.deadline).total_seconds() // 3600)
        late = _("超 %(days)d 天") % {"days": hours // 24} if hours >= 24 else \
            _("超 %(hours)d 小时") % {"hours": max(hours, 1)}
        unit = demand.current_unit.display_name if demand.current_unit else ""
        items.append({"label": demand.title, "value": late,
                      "note": f"{demand.number} · {unit}" if unit else demand.number,
                      "url": demand.get_absolute_url()})
    return {"count": int(tile["value"]), "items": items, "url": tile["url"]}


def _orders(user, now) -> dict | None:
    """Supervision orders the units owe an answer to, per unit, most overdue first (the
    order list's 待反馈 and 只看逾期未反馈 filters are the lists behind the numbers)."""
    if not access.can_anywhere(user, "order.view"):
        return None
    scoped = access.filter_for(user, "order.view", SupervisionOrder.objects.all())
    counts = supervision_queries.open_counts(scoped, now)
    page = reverse("console:orders")
    items = []
    for row in supervision_queries.open_by_unit(scoped.awaiting(), now)[:LIST_LENGTH]:
        query = urlencode({"state": "awaiting", "unit": row["unit__code"]})
        items.append({"label": row["unit__name"],
                      "value": _("%(count)d 件") % {"count": row["open"]},
                      "note": _("逾期未反馈 %(count)d 件") % {"count": row["overdue"]}
                      if row["overdue"] else _("均在时限内"),
                      "url": f"{page}?{query}"})
    return {"count": counts.awaiting, "overdue": counts.overdue, "answered": counts.answered,
            "items": items, "url": f"{page}?state=awaiting",
            "overdue_url": f"{page}?overdue=on",
            "answered_url": f"{page}?state=answered"}


def _ranking(user) -> dict | None:
    """The newest published assessment's ranking, as its page shows it to this person:
    every unit for the bureau's roles, a unit's own score for its people."""
    if not access.can_anywhere(user, "assessment.view"):
        return None
    found = assessment_queries.latest_assessment()
    if found is None:
        return {"title": "", "count": 0, "items": [], "url": reverse("console:assessments")}
    scores = (access.filter_for(user, "assessment.view", Score.objects.filter(assessment=found))
              .select_related("unit").order_by("rank", "unit__path"))
    rows = sorted(scores, key=lambda score: (score.rank is None, score.rank or 0))
    items = [{"label": f"{score.rank}. {score.unit.display_name}" if score.rank
              else f"— {score.unit.display_name}",
              "value": _("%(total)s 分") % {"total": score.total} if score.rank
              else _("未参评"), "url": score.get_absolute_url()}
             for score in rows[:LIST_LENGTH]]
    return {"title": found.title, "count": len(rows), "items": items,
            "url": found.get_absolute_url()}


def board(user, now=None) -> dict:
    """Everything the dashboard shows, as the page renders it and ``command_data`` sends it."""
    now = now or timezone.now()
    where, scope_units = _scope(user)
    source = kpis.Rollup.for_user(user)  # the demand.kpi scope, answered by the roll-ups
    demands = source.demands()  # the same scope, for what is counted now
    scope_key = access.scope_key(user, "demand.kpi")
    data = _demand_figures(source, demands, scope_units, scope_key, now)
    found = _hotspots(user)
    queue = next(tile for tile in data["tiles"] if tile["key"] == "open_overdue")
    data.update({
        "scope": _scope_label(scope_units),
        "bureau_wide": where.everything,
        "now": timezone.localtime(now).isoformat(),
        "hotspots": found,
        # in the map's place for those without one
        "overdue": None if found else _overdue(demands, queue, now),
        "projects": _projects(user),
        "targets": _targets(user, timezone.localdate(now)),
        "orders": _orders(user, now),
        "ranking": _ranking(user),
    })
    return data


# --- the views -----------------------------------------------------------------------------
def _require(user) -> None:
    if not access.can_anywhere(user, "demand.kpi"):
        raise PermissionDenied


@login_required
def command(request):
    _require(request.user)
    wall = request.GET.get("wall") == "1"
    data = board(request.user)
    return render(request, "console/command/board.html", {
        "base_template": "console/command/wall.html" if wall else "console/base.html",
        "wall": wall, "board": data, "definitions": kpis.DEFINITIONS,
        "data_url": reverse("console:command_data"),
        "wall_url": f"{reverse('console:command')}?wall=1",
        "refresh_seconds": settings.COMMAND_REFRESH_SECONDS, "time_zone": settings.TIME_ZONE,
        "tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    })


@never_cache
@login_required
def command_data(request):
    """The board as JSON, for the page to redraw itself without a reload."""
    _require(request.user)
    return JsonResponse(board(request.user), json_dumps_params={"ensure_ascii": False})
