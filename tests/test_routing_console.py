"""The console side of routing: suggestions at dispatch (or the refusal), the
administrators' model page, and auto-dispatch in the timeline. Screenshots land in
test-results/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from demands.actions import handover
from demands.actions.intake import register
from insights import routing, tasks
from insights.models import RoutingTarget

from .demand_helpers import intake, registered
from .routing_helpers import OnSharedHistory, build_history

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
TEXT = "学校对面流动摊贩占道经营，还有人违章搭建彩钢房"


@pytest.fixture(autouse=True)
def _fresh_models():
    routing.forget()
    yield
    routing.forget()


def detail(client, user, demand, **params):
    client.force_login(user, backend=BACKEND)
    return client.get(reverse("console:demand_detail", args=[demand.number]), params)


def new_demand(personas, history):
    return registered(personas, history.categories["zhifa"], title="流动摊贩占道经营",
                      content=TEXT, requester_phone="")


class TestOnTheHistory(OnSharedHistory):
    """Tests that read the synthetic history (built once for them all)."""

    def test_dispatcher_sees_top_three_units_and_categories(self, client, personas, history):
        routing.train(RoutingTarget.UNIT)
        routing.train(RoutingTarget.CATEGORY)
        demand = new_demand(personas, history)
        page = detail(client, personas.dispatcher, demand).content.decode()
        assert "智能分派建议" in page
        units = re.findall(r'data-testid="routing-unit">\s*<span>(\S+) <span[^>]*>(?:不足)?(\d+)%',
                           page)
        assert len(units) == 3 and units[0][0] == "城管执法大队"
        assert int(units[0][1]) > int(units[1][1])
        assert f'href="?unit={history.units["zhifa"].code}"' in page
        categories = re.findall(
            r'data-testid="routing-category">\s*<span>([^<]+)<span[^>]*>(?:不足)?(\d+)%',
            page)
        assert len(categories) == 3 and categories[0][0].strip() == "市容环境 · 违法经营"
        assert "与登记类别一致" in page

    def test_the_suggestion_link_preselects_the_unit(self, client, personas, history):
        routing.train(RoutingTarget.UNIT)
        demand = new_demand(personas, history)
        target = history.units["zhifa"]
        response = detail(client, personas.dispatcher, demand, unit=target.code)
        form = next(p["form"] for p in response.context["panels"] if p["name"] == "dispatch")
        assert form.initial["unit"] == target.code
        assert re.search(rf'<option value="{target.code}" selected>', response.content.decode())

    def test_no_suggestions_for_who_cannot_dispatch_or_after_dispatch(self, client, personas,
                                                                     history):
        routing.train(RoutingTarget.UNIT)
        demand = new_demand(personas, history)
        assert "智能分派建议" not in detail(client, personas.receiver, demand).content.decode()
        demand = handover.dispatch(personas.dispatcher, demand, history.units["zhifa"])
        assert "智能分派建议" not in detail(client, personas.dispatcher, demand).content.decode()

    def test_an_auto_dispatch_shows_as_such_in_the_timeline(self, client, personas, history,
                                                            settings):
        routing.train(RoutingTarget.UNIT)
        settings.ROUTING_AUTO_DISPATCH_CONFIDENCE = 0.3
        demand, _ = register(personas.receiver, intake(
            history.categories["zhifa"], title="流动摊贩", content=TEXT, requester_phone=""))
        assert demand.state == "dispatched"
        page = detail(client, personas.dispatcher, demand).content.decode()
        assert "<strong>智能分派</strong>" in page
        shown = re.search(r"系统按分派模型 v1 自动派遣，置信度 (\d+)%", page)
        assert shown and 30 <= int(shown.group(1)) <= 100

    # --- the administrators' page --------------------------------------------------------
    def test_dispatcher_sees_versions_and_the_per_class_table(self, client, personas, history):
        routing.train(RoutingTarget.UNIT)
        second = routing.train(RoutingTarget.UNIT)
        client.force_login(personas.dispatcher, backend=BACKEND)
        page = client.get(reverse("console:routing")).content.decode()
        assert 'href="/console/routing/"' in page  # the navigation link
        assert "当前使用 v2：120 条样本，4 类。" in page
        versions = page.split('data-testid="versions-unit"')[1].split("</table>")[0]
        assert versions.count("<tr") == 3 and "v2" in versions and "v1" in versions
        assert f"{second.macro_f1:.3f}" in versions
        per_class = page.split('data-testid="per-class-unit"')[1].split("</table>")[0]
        for name in ("环境卫生管理处", "市政设施管理处", "园林绿化管理处", "城管执法大队"):
            assert name in per_class
        # the category model was never trained: it says so
        category = page.split('data-testid="target-category"')[1]
        assert "尚未训练类别分派模型" in category and "尚未训练。" in category


def test_without_history_the_console_says_so_instead_of_guessing(client, personas, org,
                                                                 categories):
    demand = registered(personas, categories.litter)
    page = detail(client, personas.dispatcher, demand).content.decode()
    assert "尚未训练责任单位分派模型，暂不提供建议。" in page
    assert "尚未训练类别分派模型，暂不提供建议。" in page
    routing.train(RoutingTarget.UNIT)  # too little history: refused
    page = detail(client, personas.dispatcher, demand).content.decode()
    assert "历史签收记录不足：仅 0 条（至少需要 50 条），暂不提供建议。" in page
    assert 'data-testid="routing-unit"' not in page


# --- the administrators' page -----------------------------------------------------------
def test_retrain_button_queues_the_task(client, personas, org, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.retrain_routing, "delay", lambda *a: queued.append(a))
    client.force_login(personas.dispatcher, backend=BACKEND)
    response = client.post(reverse("console:routing"), follow=True)
    assert queued == [()]
    assert "已加入后台训练队列" in response.content.decode()


@pytest.mark.parametrize("name", ["handler_a", "head_a", "receiver", "leader", "supervisor"])
def test_others_are_refused(client, personas, name, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.retrain_routing, "delay", lambda *a: queued.append(a))
    client.force_login(getattr(personas, name), backend=BACKEND)
    assert client.get(reverse("console:routing")).status_code == 403
    assert client.post(reverse("console:routing")).status_code == 403
    assert queued == []
    home = client.get(reverse("console:home")).content.decode()
    assert 'href="/console/routing/"' not in home


def test_anonymous_goes_to_login(client, db):
    response = client.get(reverse("console:routing"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.browser
def test_choosing_a_suggestion_fills_the_dispatch_form(browser, transactional_db, live_server,
                                                      personas, org, categories):
    from .conftest import PASSWORD

    SHOTS.mkdir(parents=True, exist_ok=True)
    history = build_history(personas, org, categories)
    routing.train(RoutingTarget.UNIT)
    routing.train(RoutingTarget.CATEGORY)
    demand = new_demand(personas, history)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/console/login/")
    page.fill("input[name=username]", "dispatcher")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/console/")
    page.goto(f"{live_server.url}/console/demands/{demand.number}/")
    select = page.locator("form[data-action=dispatch] select[name=unit]")
    second = page.get_by_test_id("routing-unit").nth(1).locator("a")
    chosen = second.get_attribute("data-routing-unit")
    assert select.input_value() != chosen
    second.click()
    assert select.input_value() == chosen
    assert page.url.endswith(f"/console/demands/{demand.number}/")  # no reload
    page.screenshot(path=str(SHOTS / "routing-detail.png"), full_page=True)
    page.get_by_role("button", name="派遣").click()
    page.wait_for_selector("[data-testid=state]:has-text('待签收')")
    demand.refresh_from_db()
    assert demand.current_unit.code == chosen
    page.goto(live_server.url + "/console/routing/")
    page.screenshot(path=str(SHOTS / "routing-admin.png"), full_page=True)
    page.close()
