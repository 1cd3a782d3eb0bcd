"""The leaders' command dashboard (指挥大屏, issue #13): who may open it and whose figures
they see, the figures equal ``demands.kpis`` on the hand-counted fixture of
tests/test_demand_kpis.py, every number's link lists exactly the records it counts, the
wall mode, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from activities.models import ActivityKind, Target, TargetSubject
from demands import kpis
from demands.models import Demand, State
from org.models import Role
from projects import sweep
from projects.models import Milestone, Project, ProjectState

from .conftest import make_staff
from .demand_helpers import at
from .hotspot_helpers import FUMES, FUMES_POINT, MUCK, MUCK_POINT, plant, plant_noise
from .test_demand_kpis import NOW, demands  # noqa: F401 - the fixture, counted by hand there
from .test_targets import campaign_of, target

pytestmark = pytest.mark.django_db
URL = "/console/command/"
DATA = "/console/command/data/"
NUMBER = re.compile(r"TEST-\d{3}")


@pytest.fixture(autouse=True)
def _november():
    with time_machine.travel(NOW, tick=False):  # 2026-11-28 12:00: November is "this month"
        yield


@pytest.fixture
def more(demands, org, categories, personas):  # noqa: F811
    """Beside the fixture's D1–D11: D12 in 环卫一中队 (under unit A), overdue now; D13 in
    unit B, in its warning time now."""
    base = {"requester_kind": "citizen", "channel": "12319", "category": categories.litter,
            "content": "内容", "first_receiver": personas.receiver,
            "submitted_at": at("2026-11-26 09:00"), "received_at": at("2026-11-26 09:00"),
            "dispatched_at": at("2026-11-26 09:10")}
    Demand.objects.create(number="TEST-012", title="诉求12", state=State.HANDLING,
                          current_unit=org.team_a, deadline=at("2026-11-27 09:00"),
                          committed_deadline=at("2026-11-27 09:00"), **base)
    Demand.objects.create(number="TEST-013", title="诉求13", state=State.HANDLING,
                          current_unit=org.unit_b, deadline=at("2026-11-28 15:00"),
                          committed_deadline=at("2026-11-28 15:00"),
                          warn_at=at("2026-11-28 11:00"), **base)


def board(client, user) -> dict:
    client.force_login(user)
    response = client.get(DATA)
    assert response.status_code == 200
    return response.json()


def tiles(data) -> dict:
    return {tile["key"]: tile for tile in data["tiles"]}


def listed(client, url) -> set[str]:
    """The demand numbers the console list at ``url`` shows."""
    page = client.get(url).content.decode()
    rows = re.findall(r'<tr data-testid="demand-row">(.*?)</tr>', page, re.S)
    return {NUMBER.search(row).group() for row in rows}


def numbers(queryset) -> set[str]:
    return set(queryset.values_list("number", flat=True))


# --- who may open it -----------------------------------------------------------------------
def test_who_may_open_it(client, personas, org):
    office = make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))
    party = make_staff("party", "陈书记", org.bureau, (Role.PARTY, None))
    for path in (URL, f"{URL}?wall=1", DATA):
        assert client.get(path).status_code == 302  # to the sign-in page
        client.force_login(personas.receiver)  # no figures of theirs (demand.kpi)
        assert client.get(path).status_code == 403, path
        for user in (personas.leader, personas.supervisor, personas.head_a,
                     personas.handler_a, personas.dispatcher, office, party):
            client.force_login(user)
            assert client.get(path).status_code == 200, (path, user)
        client.logout()


def test_the_menu_and_the_dashboard_link_to_it(client, personas):
    client.force_login(personas.leader)
    home = client.get("/console/").content.decode()
    assert f'href="{URL}">指挥大屏<' in home
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    assert f'href="{URL}"' in dashboard
    page = client.get(URL).content.decode()
    assert 'aria-current="page" href="/console/command/">指挥大屏<' in page
    client.force_login(personas.receiver)
    assert "指挥大屏" not in client.get("/console/").content.decode()


# --- the figures ---------------------------------------------------------------------------
def test_the_bureau_figures_are_the_kpis(client, personas, org, more):
    data = board(client, personas.leader)
    assert data["scope"] == "全局" and data["period"] == "2026年11月"
    assert data["overdue"] is None  # the hotspot map has its place
    start, end = kpis.month_bounds(2026, 11)
    figures = kpis.summary(Demand.objects.all(), start, end)
    found = tiles(data)
    for key in ("citizen", "grassroots", "enterprise"):
        rate = figures[f"satisfaction_{key}"]
        assert (found[key]["value"], found[key]["numerator"], found[key]["denominator"]) == \
            (str(rate), rate.numerator, rate.denominator)
    # by hand (tests/test_demand_kpis.py): D1 D2 of D1–D3; D4 of D4–D5; D6
    assert [found[k]["value"] for k in ("citizen", "grassroots", "enterprise")] == \
        ["66.7%", "50.0%", "100.0%"]
    assert found["citizen"]["extra"]["count"] == 1  # D3, very dissatisfied
    # due in November: D1–D7, D11 and D12; on time: D1 D3 D4 D5 D6 D11
    assert (found["on_time"]["numerator"], found["on_time"]["denominator"]) == (6, 9)
    assert found["on_time"]["value"] == str(figures["on_time"]) == "66.7%"
    assert found["on_time"]["extra"]["count"] == figures["overdue"] == 3  # D2, D7, D12
    assert found["open_overdue"]["value"] == "2"  # D7 and D12 still open past the deadline
    assert found["warning"]["value"] == "1"  # D13
    assert found["open_overdue"]["alarm"] and found["warning"]["alarm"]
    # the trend: twelve months to November; only October (D10, level 1) and November
    assert data["trend"]["months"][0] == "2025-12" and data["trend"]["months"][-1] == "2026-11"
    assert data["trend"]["series"]["citizen"] == [None] * 10 + [0.0, 66.7]
    assert data["trend"]["series"]["grassroots"][-1] == 50.0
    # the units directly under the bureau that own demands, best first; not 督查室 (an office)
    units = [(row["name"], row["satisfaction"]["value"], row["on_time"]["value"],
              row["overdue"]["count"]) for row in data["units"]]
    assert units == [
        ("环境卫生管理处", "75.0%", "57.1%", 3),  # D1 D2 D5 D6; due D1 D2 D5–D7 D11 D12
        ("市政设施管理处", "50.0%", "100.0%", 0),  # D3 D4
        ("数字化城市管理指挥中心", "—", "—", 0),
    ]
    by_unit = kpis.unit_figures([org.unit_a], start, end)[org.unit_a.pk]
    assert data["units"][0]["on_time"]["numerator"] == by_unit["on_time"].numerator == 4


def test_a_unit_head_sees_only_their_unit(client, personas, org, more):
    data = board(client, personas.head_a)
    assert data["scope"] == "环境卫生管理处" and not data["bureau_wide"]
    start, end = kpis.month_bounds(2026, 11)
    mine = Demand.objects.filter(current_unit__path__startswith=org.unit_a.path)
    figures = kpis.summary(mine, start, end)
    found = tiles(data)
    for key in ("citizen", "grassroots", "enterprise"):
        assert found[key]["value"] == str(figures[f"satisfaction_{key}"])
    assert [found[k]["value"] for k in ("citizen", "grassroots", "enterprise")] == \
        ["100.0%", "0.0%", "100.0%"]  # D1 D2; D5 (level 2); D6
    assert (found["on_time"]["numerator"], found["on_time"]["denominator"]) == (4, 7)
    assert found["open_overdue"]["value"] == "2"  # D7 and 环卫一中队's D12
    assert found["warning"]["value"] == "0"  # D13 is unit B's
    assert [row["name"] for row in data["units"]] == ["环境卫生管理处", "环卫一中队"]
    assert data["hotspots"] is None  # not theirs to see: the hotspot page is bureau-wide
    # in the map's place: the demands longest past their deadline, as the queue has them
    assert data["overdue"]["count"] == 2
    assert [item["note"] for item in data["overdue"]["items"]] == \
        ["TEST-007 · 环境卫生管理处", "TEST-012 · 环卫一中队"]
    assert [item["value"] for item in data["overdue"]["items"]] == ["超 3 天", "超 1 天"]
    assert data["overdue"]["url"] == found["open_overdue"]["url"]
    client.force_login(personas.head_a)
    page = client.get(URL).content.decode()
    assert "市政设施管理处" not in page and "数字化城市管理指挥中心" not in page


# --- every number's list -------------------------------------------------------------------
@pytest.mark.parametrize("who", ["leader", "head_a"])
def test_every_demand_number_lists_exactly_what_it_counts(client, personas, org, more, who):
    user = getattr(personas, who)
    data = board(client, user)
    found = tiles(data)
    start, end = kpis.month_bounds(2026, 11)
    scope = Demand.objects.all() if who == "leader" else \
        Demand.objects.filter(current_unit__path__startswith=org.unit_a.path)
    for key in ("citizen", "grassroots", "enterprise", "on_time"):
        tile = found[key]
        figure = "on_time" if key == "on_time" else f"satisfaction_{key}"
        counted = listed(client, tile["url"])
        assert len(counted) == tile["denominator"], key
        assert counted == numbers(kpis.records(scope, figure, start, end)), key
        missed = listed(client, tile["extra"]["url"])
        assert len(missed) == tile["extra"]["count"] == tile["denominator"] - tile["numerator"]
    assert listed(client, found["open_overdue"]["url"]) == {"TEST-007", "TEST-012"}
    assert listed(client, found["warning"]["url"]) == \
        ({"TEST-013"} if who == "leader" else set())
    if who == "leader":
        assert listed(client, found["citizen"]["extra"]["url"]) == {"TEST-003"}
        assert listed(client, found["on_time"]["extra"]["url"]) == \
            {"TEST-002", "TEST-007", "TEST-012"}
        october = data["trend"]["urls"]["citizen"][-2]
        assert "from=2026-10-01" in october and listed(client, october) == {"TEST-010"}
    unit_a = next(row for row in data["units"] if row["name"] == "环境卫生管理处")
    assert listed(client, unit_a["satisfaction"]["url"]) == \
        {"TEST-001", "TEST-002", "TEST-005", "TEST-006"}
    assert listed(client, unit_a["overdue"]["url"]) == {"TEST-002", "TEST-007", "TEST-012"}


# --- projects, targets, hotspots -----------------------------------------------------------
@pytest.fixture
def projects(org, personas):
    def project(title, unit, deadline, state=ProjectState.IN_PROGRESS, milestone=None):
        made = Project.objects.create(title=title, responsible_unit=unit, state=state,
                                      deadline=deadline, created_by=personas.leader,
                                      created_at=at("2026-10-01 09:00"))
        if milestone:
            Milestone.objects.create(project=made, title="节点", due=milestone)
        return made

    late_milestone = project("幸福路垃圾分类亭改造", org.unit_a, dt.date(2026, 12, 31),
                             milestone=dt.date(2026, 11, 20))
    late = project("人民路排水改造", org.unit_b, dt.date(2026, 11, 25))
    project("西湖路绿化提升", org.unit_a, dt.date(2026, 12, 31), milestone=dt.date(2026, 12, 10))
    project("发展大道亮化", org.unit_b, dt.date(2026, 11, 1), state=ProjectState.DONE)
    sweep.sweep()  # the flags as the sweep sets them
    return late_milestone, late


def test_late_projects_are_the_project_lists_overdue(client, personas, projects):
    late_milestone, late = projects
    data = board(client, personas.leader)
    assert data["projects"]["count"] == 2
    assert [item["label"] for item in data["projects"]["items"]] == \
        ["人民路排水改造", "幸福路垃圾分类亭改造"]  # by deadline
    assert data["projects"]["items"][0]["note"] == "市政设施管理处 · 逾期：完成时限 2026-11-25"
    assert data["projects"]["items"][1]["note"] == "环境卫生管理处 · 里程碑逾期"
    assert data["projects"]["items"][0]["url"] == f"/console/projects/{late.pk}/"
    page = client.get(data["projects"]["url"]).content.decode()
    assert page.count('data-testid="project-row"') == 2
    head = board(client, personas.head_a)
    assert head["projects"]["count"] == 1
    page = client.get(head["projects"]["url"]).content.decode()
    assert page.count('data-testid="project-row"') == 1 and late_milestone.title in page


def test_targets_behind_are_the_targets_pages_behind(client, personas, org):
    campaign = campaign_of(2026, org)
    # twelve visits a year by each unit: by 28 November, 11 are due and none is done
    per_unit = [target(campaign, kind=ActivityKind.VISIT, count=12, subject=TargetSubject.UNIT,
                       unit=unit) for unit in (org.unit_a, org.unit_b)]
    Target.objects.create(campaign=campaign, label="十二月志愿服务", kind=ActivityKind.VOLUNTEER,
                          count=1, subject=TargetSubject.UNIT, unit=org.unit_a,
                          period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31))
    data = board(client, personas.leader)
    assert data["targets"]["count"] == 2 and data["targets"]["campaign"] == "2026年三满意活动"
    assert [item["value"] for item in data["targets"]["items"]] == ["1", "1"]
    page = client.get(data["targets"]["url"]).content.decode()
    assert page.count('data-testid="row"') == 2
    head = board(client, personas.head_a)
    assert head["targets"]["count"] == 1
    page = client.get(head["targets"]["items"][0]["url"]).content.decode()
    assert page.count('data-testid="row"') == 1 and f'data-target="{per_unit[0].pk}"' in page


def test_no_campaign_no_targets_panel(client, personas):
    assert board(client, personas.leader)["targets"] is None
    client.force_login(personas.leader)
    assert "尚无创建活动" in client.get(URL).content.decode()


def test_hotspots_are_the_hotspot_pages(client, personas, categories):
    plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    plant(personas, categories.litter, FUMES, FUMES_POINT, seed=2)
    plant_noise(personas, categories.stall)
    data = board(client, personas.leader)["hotspots"]
    assert data["count"] == 2 and data["since"] == "10-30" and data["until"] == "11-28"
    assert [spot["size"] for spot in data["spots"]] == [8, 6]
    assert "渣土车" in data["spots"][0]["label"] and len(data["spots"][0]["points"]) == 8
    assert data["items"][0]["value"] == "8 条"
    assert data["spots"][0]["url"].endswith("?since=2026-10-30&until=2026-11-28#hotspot-1")
    page = client.get(data["url"]).content.decode()
    assert page.count('data-testid="hotspot"') == 2 and 'id="hotspot-1"' in page


# --- the page and the wall -----------------------------------------------------------------
def test_the_page_carries_every_number_as_a_link(client, personas, more, projects):
    client.force_login(personas.leader)
    page = client.get(URL).content.decode()
    data = board(client, personas.leader)
    for tile in data["tiles"]:
        assert f'href="{tile["url"]}" data-testid="tile-{tile["key"]}"'.replace("&", "&amp;") \
            in page
    for row in data["units"]:
        assert f'href="{row["satisfaction"]["url"]}"'.replace("&", "&amp;") in page
    assert f'href="{data["projects"]["url"]}" data-count="projects"' in page
    assert 'id="command-data"' in page and "<script>" not in page  # data by json_script only
    assert 'id="console-nav"' in page and "全屏上墙" in page


def test_the_wall(client, personas, settings):
    settings.COMMAND_REFRESH_SECONDS = 30
    client.force_login(personas.leader)
    page = client.get(f"{URL}?wall=1").content.decode()
    assert 'id="console-nav"' not in page  # no navigation on the wall
    assert 'class="command-wall-body"' in page and 'class="command command-wall"' in page
    assert 'data-refresh="30"' in page and f'data-url="{DATA}"' in page
    assert 'data-testid="clock"' in page and "退出大屏" in page
    assert 'data-time-zone="Asia/Shanghai"' in page


def test_the_data_is_never_cached_by_a_browser(client, personas):
    client.force_login(personas.leader)
    response = client.get(DATA)
    assert "no-cache" in response["Cache-Control"] and response["Content-Type"] == \
        "application/json"


# --- queries -------------------------------------------------------------------------------
PAGE_QUERIES = 36  # the month, the trend, the units (today read once), orders, ranking …
DATA_QUERIES = 33
HEAD_PAGE_QUERIES = 41


def test_a_fixed_number_of_queries(client, personas, org, more, projects,
                                   django_assert_num_queries):
    campaign = campaign_of(2026, org)
    for unit in (org.unit_a, org.unit_b):
        target(campaign, count=12, subject=TargetSubject.UNIT, unit=unit)
    client.force_login(personas.leader)
    client.get(DATA)  # the session and the working calendar, once
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    with django_assert_num_queries(DATA_QUERIES):
        assert client.get(DATA).status_code == 200
    client.force_login(personas.head_a)
    client.get(DATA)
    with django_assert_num_queries(HEAD_PAGE_QUERIES):  # the overdue list, not the map
        assert client.get(URL).status_code == 200
    client.force_login(personas.leader)
    # more of everything: more demands, units, projects and targets cost nothing more
    for n in range(5):
        unit = org.unit_b if n % 2 else org.team_a
        Demand.objects.create(number=f"TEST-1{n:02d}", title="又一条", content="内容",
                              requester_kind="enterprise", channel="12345", state=State.CLOSED,
                              current_unit=unit, submitted_at=at("2026-11-20 09:00"),
                              first_receiver=personas.receiver,
                              first_evaluated_at=at("2026-11-21 09:00"),
                              first_evaluation_level=4)
    Project.objects.create(title="又一个项目", responsible_unit=org.unit_b, deadline=dt.date(
        2026, 11, 2), state=ProjectState.IN_PROGRESS, overdue_flag=True,
        created_by=personas.leader, created_at=at("2026-10-01 09:00"))
    target(campaign, count=4, subject=TargetSubject.UNIT, unit=org.intake)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    with django_assert_num_queries(DATA_QUERIES):
        assert client.get(DATA).status_code == 200


# --- supervision orders ----------------------------------------------------------------------
def test_open_orders_per_unit_and_the_lists_behind_them(client, personas, org):
    """Unit A owes two answers (one past its deadline), unit B one; an answered order waits
    for the office; an accepted one is done. Each number opens the order list of exactly
    those orders; a unit head sees their unit's only."""
    from supervision import actions
    from supervision.models import SubjectKind

    def order(unit, title, deadline):
        return actions.issue(personas.supervisor, subject_kind=SubjectKind.FINDING, unit=unit,
                             title=title, requirement="说明整改情况。", deadline=deadline,
                             finding=f"{title}现场检查发现的问题。", finding_place="幸福路",
                             at=at("2026-11-23 09:00"))

    order(org.unit_a, "甲单位逾期", at("2026-11-25 17:30"))
    order(org.team_a, "甲中队未到期", at("2026-12-02 17:30"))
    order(org.unit_b, "乙单位未到期", at("2026-12-02 17:30"))
    answered = order(org.unit_b, "乙单位已反馈", at("2026-12-02 17:30"))
    actions.answer(personas.handler_b, answered, "已整改。", at=at("2026-11-24 09:00"))
    done = order(org.unit_a, "甲单位已办结", at("2026-12-02 17:30"))
    actions.answer(personas.head_a, done, "已整改。", at=at("2026-11-24 09:00"))
    actions.accept(personas.supervisor, done, "同意。", at=at("2026-11-24 10:00"))

    names = r"(甲单位逾期|甲中队未到期|乙单位未到期|乙单位已反馈|甲单位已办结)"

    def titles(url):
        return set(re.findall(names, client.get(url).content.decode()))

    orders = board(client, personas.leader)["orders"]
    assert (orders["count"], orders["overdue"], orders["answered"]) == (3, 1, 1)
    assert titles(orders["url"]) == {"甲单位逾期", "甲中队未到期", "乙单位未到期"}
    assert titles(orders["overdue_url"]) == {"甲单位逾期"}
    assert titles(orders["answered_url"]) == {"乙单位已反馈"}
    # per unit, most overdue first: 环卫一中队's order is listed under its own unit
    assert [(item["label"], item["value"]) for item in orders["items"]] == [
        ("环境卫生管理处", "1 件"), ("市政设施管理处", "1 件"), ("环卫一中队", "1 件")]
    assert titles(orders["items"][0]["url"]) == {"甲单位逾期", "甲中队未到期"}  # its subtree
    head = board(client, personas.head_a)["orders"]
    assert (head["count"], head["overdue"]) == (2, 1)
    page = client.get(URL).content.decode()
    assert 'data-testid="count-orders"' in page


# --- the latest ranking ----------------------------------------------------------------------
def test_the_latest_published_ranking_as_its_page_shows_it(client, personas, org):
    """A draft is not shown; the newest published one is, best first with a tie; a unit
    head sees their own unit's line, linked to its score page."""
    from decimal import Decimal

    from assessment.models import Assessment, AssessmentState, Scheme, Score

    scheme = Scheme.objects.create(name="月度考核", created_by=personas.leader,
                                   created_at=at("2026-10-01 09:00"),
                                   updated_at=at("2026-10-01 09:00"))
    scheme.units.set([org.unit_a, org.unit_b, org.intake])

    def assessment(month, state):
        found = Assessment.objects.create(
            scheme=scheme, title=f"2026年{month}月考核", starts_on=dt.date(2026, month, 1),
            ends_on=dt.date(2026, month, 28), state=state, created_by=personas.leader,
            created_at=at("2026-11-02 09:00"), computed_at=at("2026-11-02 09:00"),
            published_at=at("2026-11-03 09:00") if state != AssessmentState.DRAFT else None)
        return found

    october = assessment(10, AssessmentState.PUBLISHED)
    for unit, total, rank in ((org.unit_a, "91.50", 2), (org.unit_b, "91.50", 2),
                              (org.intake, "95.00", 1)):
        Score.objects.create(assessment=october, unit=unit, total=Decimal(total), rank=rank)
    assessment(11, AssessmentState.DRAFT)  # not published: not on the board

    ranking = board(client, personas.leader)["ranking"]
    assert ranking["title"] == "2026年10月考核" and ranking["count"] == 3
    assert [(item["label"], item["value"]) for item in ranking["items"]] == [
        ("1. 数字化城市管理指挥中心", "95.00 分"), ("2. 环境卫生管理处", "91.50 分"),
        ("2. 市政设施管理处", "91.50 分")]
    assert client.get(ranking["items"][1]["url"]).status_code == 200  # the unit's score page
    own = board(client, personas.head_a)["ranking"]
    assert [item["label"] for item in own["items"]] == ["2. 环境卫生管理处"]
    assert board(client, personas.dispatcher).get("ranking") is None  # no assessment.view
