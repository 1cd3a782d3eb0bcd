"""The service loop in a real Chromium: phone-in → dispatch → accept → reply → return
visit 满意 → closed, and the dashboard's 群众满意率 moves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demands.models import Demand, State

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def site(browser, transactional_db, live_server, org, personas, categories):
    return live_server.url


def sign_in(browser, site, username):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")
    return page


def test_a_phone_in_demand_goes_round_the_loop(browser, site):
    leader = sign_in(browser, site, "leader")
    leader.goto(site + "/console/dashboard/")
    expect(leader.get_by_test_id("kpi-citizen-value")).to_have_text("—")

    receiver = sign_in(browser, site, "receiver")
    receiver.get_by_role("link", name="受理登记").click()
    receiver.select_option("select[name=requester_kind]", "citizen")
    receiver.fill("input[name=requester_name]", "刘先生")
    receiver.fill("input[name=requester_phone]", "13812345678")
    receiver.select_option("select[name=channel]", "12319")
    receiver.select_option("select[name=category]", "baolu-laji")
    receiver.fill("input[name=title]", "黄河路公交站垃圾堆积")
    receiver.fill("textarea[name=content]", "黄河路公交站旁有一堆垃圾，气味很大。")
    receiver.get_by_role("button", name="受理", exact=True).click()
    expect(receiver.get_by_test_id("state")).to_have_text("待派遣")
    expect(receiver.get_by_test_id("first-receiver")).to_have_text("孙受理")
    number = receiver.url.rstrip("/").rsplit("/", 1)[-1]

    dispatcher = sign_in(browser, site, "dispatcher")
    dispatcher.goto(site + f"/console/demands/{number}/")
    form = dispatcher.locator("form[data-action=dispatch]")
    expect(form.locator("select[name=unit]")).to_have_value(Demand.objects.get(
        number=number).category.default_unit.code)  # the category's default unit
    form.get_by_role("button", name="派遣").click()
    expect(dispatcher.get_by_test_id("state")).to_have_text("待签收")

    handler = sign_in(browser, site, "handler_a")
    handler.goto(site + "/console/demands/?queue=dispatched")
    handler.get_by_role("link", name=number).click()
    handler.locator("form[data-action=accept]").get_by_role("button", name="签收").click()
    expect(handler.get_by_test_id("state")).to_have_text("办理中")
    expect(handler.get_by_test_id("accountable")).to_contain_text("张承办")
    reply = handler.locator("form[data-action=reply]")
    reply.locator("textarea[name=content]").fill("已安排环卫工人清运完毕并消毒。")
    reply.get_by_role("button", name="答复").click()
    expect(handler.get_by_test_id("state")).to_have_text("待回访")

    receiver.goto(site + f"/console/demands/{number}/")
    visit = receiver.locator("form[data-action=visit]")
    visit.get_by_label("已联系上诉求人").check()
    visit.locator("select[name=level]").select_option("4")
    visit.locator("textarea[name=note]").fill("诉求人表示满意。")
    visit.get_by_role("button", name="回访").click()
    expect(receiver.get_by_test_id("state")).to_have_text("已办结")
    expect(receiver.get_by_test_id("evaluation")).to_have_text("满意")
    assert Demand.objects.get(number=number).state == State.CLOSED
    timeline = receiver.get_by_test_id("timeline")
    for step in ("登记受理", "派遣", "签收", "答复", "回访", "评价"):
        expect(timeline).to_contain_text(step)

    leader.reload()
    expect(leader.get_by_test_id("kpi-citizen-value")).to_have_text("100.0%")
    expect(leader.get_by_test_id("kpi-citizen")).to_contain_text("1 / 1")
    for page in (leader, receiver, dispatcher, handler):
        page.close()


def test_merging_a_flagged_duplicate_swaps_the_demand_panel_in_place(browser, site, personas,
                                                                    categories):
    """并单 on a demand's page: the duplicate views answer with the demand's page and the
    form's hx-select takes its panel alone — one navigation bar, the outcome said once."""
    from .demand_helpers import registered

    registered(personas, categories.litter, "2026-11-23 09:00")
    copy = registered(personas, categories.litter, "2026-11-23 10:00",
                      requester_phone="13700001111", requester_name="李先生",
                      latitude="33.964080")  # about 120 m from the first
    dispatcher = sign_in(browser, site, "dispatcher")
    dispatcher.goto(site + f"/console/demands/{copy.number}/")
    dispatcher.get_by_test_id("duplicates").locator("[data-action=duplicate-merge]").click()
    expect(dispatcher.get_by_test_id("state")).to_have_text("已并单")
    expect(dispatcher.get_by_test_id("duplicates")).to_have_count(0)
    expect(dispatcher.get_by_text("已并单。", exact=True)).to_have_count(1)
    expect(dispatcher.locator("#demand-panel")).to_have_count(1)
    expect(dispatcher.locator("nav.navbar")).to_have_count(1)
    assert dispatcher.url == site + f"/console/demands/{copy.number}/"
    dispatcher.close()
