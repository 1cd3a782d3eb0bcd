"""The console's hotspot page and the practical projects (in 草稿) made from a hotspot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demands.actions import handover
from lib.errors import ActionError
from org.models import Role
from projects.actions import create as create_project
from projects.models import Project, ProjectState

from .conftest import make_staff
from .demand_helpers import at
from .hotspot_helpers import FUMES, FUMES_POINT, MUCK, MUCK_POINT, plant, plant_noise

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"
WINDOW = {"since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture
def planted(personas, categories):
    muck = plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    fumes = plant(personas, categories.litter, FUMES, FUMES_POINT, seed=2)
    noise = plant_noise(personas, categories.stall)
    return muck, fumes, noise


def login(client, user):
    client.force_login(user, backend=BACKEND)


def test_a_leader_sees_the_hotspots_with_their_demands(client, personas, planted):
    muck, fumes, noise = planted
    login(client, personas.leader)
    response = client.get(reverse("console:hotspots"), WINDOW)
    assert response.status_code == 200
    found = response.context["found"]
    assert [h.size for h in found] == [8, 6]
    page = response.content.decode()
    assert "热点分析" in page and "找到 2 个热点" in page
    assert "渣土车" in found[0].label and "油烟" in found[1].label
    for demand in muck + fumes:  # each hotspot expands to its demands, linked
        assert reverse("console:demand_detail", args=[demand.number]) in page
    for demand in noise:
        assert demand.number not in page
    assert 'id="hotspot-map"' in page and 'id="hotspot-data"' in page
    assert "转为实事项目草稿" in page  # leaders may turn one into a draft
    assert reverse("console:hotspots") in page  # the navigation link


def test_a_dispatcher_sees_hotspots_but_no_draft_button(client, personas, planted):
    login(client, personas.dispatcher)
    response = client.get(reverse("console:hotspots"), WINDOW)
    assert response.status_code == 200
    assert len(response.context["found"]) == 2
    assert "转为实事项目草稿" not in response.content.decode()


def test_a_handler_is_refused_and_has_no_link(client, personas, planted):
    login(client, personas.handler_a)
    assert client.get(reverse("console:hotspots"), WINDOW).status_code == 403
    # the drafts' old address leads to the projects in 草稿 (all staff see projects)
    assert client.get(reverse("console:project_drafts"))["Location"] == \
        reverse("console:project_list") + "?state=draft"
    home = client.get(reverse("console:home")).content.decode()
    assert reverse("console:hotspots") not in home


def test_the_demands_clustered_are_those_the_user_may_see(client, personas, org, planted):
    """A unit-scoped viewer's hotspots are made of their unit's demands only."""
    _, fumes, _ = planted
    for demand in fumes:
        handover.dispatch(personas.dispatcher, demand, org.unit_b, at=at("2026-11-20 09:00"))
    watcher = make_staff("watcher", "陈督查", org.unit_b, (Role.SUPERVISOR, org.unit_b))
    login(client, watcher)
    found = client.get(reverse("console:hotspots"), WINDOW).context["found"]
    assert [h.size for h in found] == [6]
    assert "油烟" in found[0].label


def test_bad_dates_are_refused_in_chinese(client, personas):
    login(client, personas.leader)
    response = client.get(reverse("console:hotspots"),
                          {"since": "2026-11-30", "until": "2026-11-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期。" in response.content.decode()
    response = client.get(reverse("console:hotspots"), {"since": "11月1日"})
    assert response.status_code == 400


def test_a_leader_turns_a_hotspot_into_a_project(client, personas, planted):
    muck, _, _ = planted
    login(client, personas.leader)
    spot = client.get(reverse("console:hotspots"), WINDOW).context["rows"][0]
    assert spot["title"].startswith("渣土车")  # prefilled from the key words
    response = client.post(reverse("console:project_draft_create"), {
        "title": "发展大道渣土车撒漏整治", "description": "夜间巡查，源头管控。",
        "keywords": spot["keywords"], "demand_ids": spot["ids"], **WINDOW})
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:project", args=[project.pk])
    assert (project.title, project.state) == ("发展大道渣土车撒漏整治", ProjectState.DRAFT)
    assert project.background == "夜间巡查，源头管控。"
    assert "渣土车" in project.keywords
    assert project.created_by == personas.leader
    assert project.responsible_unit is None  # the office's until a unit is named
    assert set(project.demands.values_list("pk", flat=True)) == {d.pk for d in muck}
    assert str(project.since) == "2026-11-01" and str(project.until) == "2026-11-30"
    assert project.events.get().data["source"] == "hotspot"
    page = client.get(response["Location"]).content.decode()
    assert "发展大道渣土车撒漏整治" in page and "草稿" in page
    for demand in muck:
        assert reverse("console:demand_detail", args=[demand.number]) in page
    listing = client.get(reverse("console:project_list")).content.decode()
    assert "发展大道渣土车撒漏整治" in listing


def test_a_dispatcher_may_not_make_a_project_and_nothing_is_written(client, personas,
                                                                    planted):
    muck, _, _ = planted
    ids = [d.pk for d in muck]
    with pytest.raises(ActionError, match="没有创建实事项目的权限"):
        create_project(personas.dispatcher, title="渣土车整治", keywords=["渣土车"],
                       demand_ids=ids, source="hotspot")
    login(client, personas.dispatcher)
    response = client.post(reverse("console:project_draft_create"), {
        "title": "渣土车整治", "keywords": "渣土车", "demand_ids": ",".join(map(str, ids))})
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_a_project_refuses_demands_the_actor_may_not_see(personas, org, planted):
    """An office-holder scoped to unit A may not attach unit B's demands."""
    muck, _, _ = planted
    outsider = make_staff("office_a", "吴办公", org.unit_a, (Role.OFFICE, org.unit_a))
    with pytest.raises(ActionError) as refused:
        create_project(outsider, title="渣土车整治", keywords=["渣土车"],
                       demand_ids=[d.pk for d in muck], source="hotspot")
    assert "不存在或您无权查看" in refused.value.message
    assert not Project.objects.exists()


@pytest.mark.parametrize("title, ids, message", [
    ("", None, "请填写项目名称。"),
    ("整治", ["x"], "诉求编号无效。"),
    ("整治", [999_999], "不存在或您无权查看"),
    ("很" * 101, None, "项目名称不能超过 100 字"),
])
def test_bad_project_input_is_refused_and_nothing_written(personas, planted, title, ids,
                                                          message):
    muck, _, _ = planted
    with pytest.raises(ActionError, match=message):
        create_project(personas.leader, title=title, keywords=["渣土车"], source="hotspot",
                       demand_ids=[d.pk for d in muck] if ids is None else ids)
    assert not Project.objects.exists()


@pytest.mark.parametrize("posted", [
    {"title": "整治", "keywords": "渣土车", "demand_ids": "999999"},
    {"title": "整治", "keywords": "渣土车", "demand_ids": ""},
])
def test_a_refused_post_shows_the_reason(client, personas, planted, posted):
    login(client, personas.leader)
    response = client.post(reverse("console:project_draft_create"), {**posted, **WINDOW},
                           follow=True)
    page = response.content.decode()
    assert "不存在或您无权查看" in page or "请填写项目名称，并附上热点的诉求。" in page
    assert response.redirect_chain[-1][0].startswith(reverse("console:hotspots"))
    assert not Project.objects.exists()


def test_the_page_says_when_the_cap_was_hit(client, personas, planted, settings):
    settings.HOTSPOT_MAX_DEMANDS = 10
    login(client, personas.leader)
    page = client.get(reverse("console:hotspots"), WINDOW).content.decode()
    assert "该时间范围内诉求较多（26 条），只分析了最近的 10 条。" in page


def test_an_old_draft_link_leads_to_the_project_made_of_it(client, personas, planted):
    """projects.0002 records the draft's number on the project's first event."""
    muck, _, _ = planted
    project = create_project(personas.leader, title="整治", demand_ids=[d.pk for d in muck])
    project.events.update(data={"from_draft": 7})
    login(client, personas.leader)
    response = client.get(reverse("console:project_draft", args=[7]))
    assert response["Location"] == reverse("console:project", args=[project.pk])
    response = client.get(reverse("console:project_draft", args=[8]))
    assert response["Location"] == reverse("console:project_list") + "?state=draft"
