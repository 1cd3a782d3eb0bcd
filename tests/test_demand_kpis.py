"""The figures, on a fixture whose expected numbers are worked out by hand below."""

from __future__ import annotations

import pytest

from demands import kpis
from demands.models import Demand, State

from .demand_helpers import at

pytestmark = pytest.mark.django_db
NOW = at("2026-11-28 12:00")


@pytest.fixture
def demands(org, categories, personas):
    n = 0

    def make(kind, unit, channel, submitted, **fields):
        nonlocal n
        n += 1
        values = {"number": f"TEST-{n:03d}", "requester_kind": kind, "channel": channel,
                  "category": categories.litter, "title": f"诉求{n}", "content": "内容",
                  "state": State.CLOSED, "current_unit": unit, "submitted_at": at(submitted),
                  "received_at": at(submitted), "first_receiver": personas.receiver}
        for key, value in fields.items():
            values[key] = at(value) if isinstance(value, str) and value[:2] == "20" else value
        values.setdefault("committed_deadline", values.get("deadline"))
        if "evaluation_level" in values:  # single evaluations: the first is the last
            values["first_evaluation_level"] = values["evaluation_level"]
            values["first_evaluated_at"] = values["evaluated_at"]
        return Demand.objects.create(**values)

    a, b = org.unit_a, org.unit_b
    # D1 citizen, on time, visited, very satisfied
    make("citizen", a, "12319", "2026-11-01 09:00", dispatched_at="2026-11-01 09:10",
         deadline="2026-11-03 09:00", first_replied_at="2026-11-02 10:00", replied_on_time=True,
         visited_at="2026-11-05 10:00", evaluated_at="2026-11-05 10:00", evaluation_level=5)
    # D2 citizen, replied late, returned once, basically satisfied (web)
    make("citizen", a, "12345", "2026-11-08 09:00", dispatched_at="2026-11-08 09:10",
         deadline="2026-11-10 09:00", first_replied_at="2026-11-11 09:00",
         replied_on_time=False, return_count=1, evaluated_at="2026-11-12 09:00",
         evaluation_level=3)
    # D3 citizen, committed by the 12th and replied on time, very dissatisfied → a follow-up
    # whose own deadline (extended once) falls in December: the committed one still counts
    make("citizen", b, "portal", "2026-11-09 09:00", state=State.FOLLOW_UP,
         dispatched_at="2026-11-09 09:10", deadline="2026-12-02 09:00",
         committed_deadline="2026-11-12 09:00",
         first_replied_at="2026-11-11 09:00", replied_on_time=True, extension_count=1,
         evaluated_at="2026-11-12 10:00", evaluation_level=1)
    # D4 grassroots, a repeat, on time, satisfied
    make("grassroots", b, "12319", "2026-11-14 09:00", dispatched_at="2026-11-14 09:10",
         deadline="2026-11-15 09:00", first_replied_at="2026-11-15 08:00",
         replied_on_time=True, is_repeat=True, evaluated_at="2026-11-15 10:00",
         evaluation_level=4)
    # D5 grassroots, committed by the 19th, on time, dissatisfied → follow-up due in December
    make("grassroots", a, "12319", "2026-11-16 09:00", state=State.FOLLOW_UP,
         dispatched_at="2026-11-16 09:10", deadline="2026-12-05 09:00",
         committed_deadline="2026-11-19 09:00",
         first_replied_at="2026-11-18 09:00", replied_on_time=True,
         evaluated_at="2026-11-20 09:00", evaluation_level=2)
    # D6 enterprise, on time, very satisfied
    make("enterprise", a, "gov_cloud", "2026-11-19 09:00", dispatched_at="2026-11-19 09:10",
         deadline="2026-11-21 09:00", first_replied_at="2026-11-20 09:00",
         replied_on_time=True, evaluated_at="2026-11-21 09:00", evaluation_level=5)
    # D7 citizen, still handling, deadline passed without a reply
    make("citizen", a, "12319", "2026-11-20 09:00", state=State.HANDLING,
         dispatched_at="2026-11-20 09:10", deadline="2026-11-25 09:00")
    # D8 citizen, received, due on the 30th (not yet due, not replied)
    make("citizen", a, "12319", "2026-11-27 09:00", state=State.RECEIVED,
         deadline="2026-11-30 09:00")
    # D9 merged duplicate
    make("citizen", a, "weibo", "2026-11-22 09:00", state=State.MERGED, is_repeat=True)
    # D10 October: outside the period everywhere
    make("citizen", a, "12319", "2026-10-20 09:00", dispatched_at="2026-10-20 09:10",
         deadline="2026-10-22 09:00", first_replied_at="2026-10-25 09:00",
         replied_on_time=False, evaluated_at="2026-10-28 09:00", evaluation_level=1)
    # D11 citizen, replied on time, no visit and no evaluation yet
    make("citizen", a, "12319", "2026-11-24 09:00", state=State.REPLIED,
         dispatched_at="2026-11-24 09:10", deadline="2026-11-26 09:00",
         first_replied_at="2026-11-25 09:00", replied_on_time=True)


def rate(r):
    return (r.numerator, r.denominator)


def test_november_by_hand(demands):
    start, end = kpis.month_bounds(2026, 11)
    figures = kpis.summary(Demand.objects.all(), start, end, now=NOW)
    # evaluated in November: D1 5, D2 3, D3 1, D4 4, D5 2, D6 5
    assert rate(figures["satisfaction"]) == (4, 6)
    assert rate(figures["satisfaction_citizen"]) == (2, 3)  # D1, D2 of D1–D3
    assert rate(figures["satisfaction_grassroots"]) == (1, 2)  # D4 of D4–D5
    assert rate(figures["satisfaction_enterprise"]) == (1, 1)  # D6
    assert str(figures["satisfaction_citizen"]) == "66.7%"
    # committed deadline in November and replied or past it: D1–D7, D11 (D3 and D5 by their
    # committed deadlines, not their follow-ups' in December); on time: all but D2 and D7
    assert rate(figures["on_time"]) == (6, 8)
    assert figures["overdue"] == 2  # D2 late, D7 still open past its deadline
    # first replied in November: D1–D6, D11; visited or evaluated: all but D11
    assert rate(figures["visit"]) == (6, 7)
    # submitted in November: D1–D9, D11; repeats: D4, D9
    assert rate(figures["repeat"]) == (2, 10)
    # dispatched in November: D1–D7, D11; returned: D2
    assert rate(figures["return"]) == (1, 8)
    # submitted in November, not merged: 9; extended: D3
    assert rate(figures["extension"]) == (1, 9)
    assert figures["open_overdue"] == 1  # D7


def test_breakdowns(demands, org):
    start, end = kpis.month_bounds(2026, 11)
    by_unit = {label: figures for _, label, figures in
               kpis.breakdown(Demand.objects.all(), start, end, "unit", now=NOW)}
    assert rate(by_unit["市政设施管理处"]["satisfaction"]) == (1, 2)  # D3 1, D4 4
    assert rate(by_unit["环境卫生管理处"]["satisfaction"]) == (3, 4)  # D1 D2 D5 D6
    by_kind = {label: figures for _, label, figures in
               kpis.breakdown(Demand.objects.all(), start, end, "requester_kind", now=NOW)}
    assert rate(by_kind["企业"]["satisfaction"]) == (1, 1)
    by_channel = {label: figures for _, label, figures in
                  kpis.breakdown(Demand.objects.all(), start, end, "channel", now=NOW)}
    assert rate(by_channel["12319城管热线"]["on_time"]) == (4, 5)  # D1 D4 D5 D11 of + D7
    months = kpis.breakdown(Demand.objects.all(), at("2026-10-01 00:00"), end, "month", now=NOW)
    assert [(label, rate(f["satisfaction"])) for _, label, f in months] == \
        [("2026-10", (0, 1)), ("2026-11", (4, 6))]


def test_unit_figures_cover_each_units_subtree(demands, org):
    """A 局属单位's figures include its 中队's demands; a unit without demands gets dashes."""
    Demand.objects.filter(number="TEST-006").update(current_unit=org.team_a)
    start, end = kpis.month_bounds(2026, 11)
    figures = kpis.unit_figures([org.unit_a, org.unit_b, org.team_a, org.intake], start, end,
                                now=NOW)
    assert rate(figures[org.unit_a.pk]["satisfaction"]) == (3, 4)  # D1 D2 D5 + D6 (中队)
    assert rate(figures[org.team_a.pk]["satisfaction"]) == (1, 1)  # D6 only
    assert rate(figures[org.unit_b.pk]["satisfaction"]) == (1, 2)  # D3 1, D4 4
    assert rate(figures[org.unit_a.pk]["on_time"]) == (4, 6)  # D1 D5 D6 D11 of + D2 D7
    assert str(figures[org.intake.pk]["satisfaction"]) == "—"
    assert kpis.unit_figures([], start, end) == {}


def test_a_follow_up_does_not_erase_the_first_bad_evaluation(demands):
    d3 = Demand.objects.get(number="TEST-003")
    d3.evaluation_level, d3.evaluated_at, d3.state = 5, at("2026-11-20 09:00"), State.CLOSED
    d3.save()
    start, end = kpis.month_bounds(2026, 11)
    figures = kpis.summary(Demand.objects.all(), start, end, now=NOW)
    assert rate(figures["satisfaction_citizen"]) == (2, 3)


def test_an_empty_period_shows_a_dash_not_a_number(demands):
    start, end = kpis.month_bounds(2025, 1)
    figures = kpis.summary(Demand.objects.all(), start, end, now=NOW)
    assert figures["satisfaction"].value is None
    assert str(figures["satisfaction"]) == "—"


def test_every_figure_has_a_written_definition(demands):
    """Derived from what ``summary`` returns: a new figure without a definition fails."""
    start, end = kpis.month_bounds(2026, 11)
    figures = kpis.summary(Demand.objects.all(), start, end, now=NOW)
    assert len(figures) >= 10
    missing = [name for name in figures if not kpis.DEFINITIONS.get(name)]
    assert missing == []


def test_the_dashboard_cache_serves_until_the_refresh_job_runs(demands, settings, personas):
    settings.KPI_CACHE_SECONDS = 300
    from django.core.cache import cache

    from demands import tasks

    cache.clear()
    start_args = (Demand.objects.all(), 2026, 11, "unit")
    first = kpis.cached_dashboard("all", *start_args)
    Demand.objects.filter(number="TEST-001").update(first_evaluation_level=1)
    assert kpis.cached_dashboard("all", *start_args)["figures"]["satisfaction"].numerator == \
        first["figures"]["satisfaction"].numerator  # stale by design, at most a few minutes
    # the beat job recomputes the current month; here "now" is November 2026
    import time_machine

    with time_machine.travel(NOW, tick=False):
        assert tasks.refresh_dashboards.apply().get() == 4
    fresh = kpis.cached_dashboard("all", *start_args)
    assert rate(fresh["figures"]["satisfaction"]) == (3, 6)


def test_scope_keys_separate_units(personas, org):
    from org import access

    assert access.scope_key(personas.leader, "demand.kpi") == "all"
    assert access.scope_key(personas.head_a, "demand.kpi") == f"units:{org.unit_a.path}"
    # a handler sees their own unit's figures (issue #13: the dashboard of every scope)
    assert access.scope_key(personas.handler_a, "demand.kpi") == f"units:{org.unit_a.path}"
    assert access.scope_key(personas.receiver, "demand.kpi") == "units:"


@pytest.mark.parametrize("figure", sorted(kpis.RECORD_FIGURES))
def test_the_list_behind_each_figure_adds_up_to_it(demands, figure):
    start, end = kpis.month_bounds(2026, 11)
    figures = kpis.summary(Demand.objects.all(), start, end, now=NOW)
    counted = kpis.records(Demand.objects.all(), figure, start, end, now=NOW)
    hit = kpis.records(Demand.objects.all(), figure, start, end, "hit", now=NOW)
    miss = kpis.records(Demand.objects.all(), figure, start, end, "miss", now=NOW)
    if figure == "overdue":
        assert counted.count() == figures["overdue"] == 2
        assert sorted(counted.values_list("number", flat=True)) == ["TEST-002", "TEST-007"]
        return
    assert (hit.count(), counted.count()) == rate(figures[figure])
    assert miss.count() == counted.count() - hit.count()
    assert not set(hit.values_list("pk", flat=True)) & set(miss.values_list("pk", flat=True))


def test_the_console_list_behind_a_figure(demands, org, personas, client):
    start, end = kpis.month_bounds(2026, 11)
    url = kpis.records_url("satisfaction", start, end, unit=org.unit_a, part="miss")
    assert "from=2026-11-01" in url and "to=2026-11-30" in url
    client.force_login(personas.leader)
    page = client.get(url).content.decode()
    # unit A's November evaluations: D1 5, D2 3, D5 2, D6 5 → the dissatisfied one is D5
    assert "满意率 · 不满意：2026-11-01 至 2026-11-30" in page
    assert "TEST-005" in page
    assert all(f"TEST-00{n}" not in page for n in (1, 2, 3, 4, 6, 7, 8, 9))
    broken = client.get(url.replace("from=2026-11-01", "from=2026-13-01")).content.decode()
    assert "统计口径链接无效" in broken
