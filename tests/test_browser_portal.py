"""The citizen's side in Chromium on a 360-px phone: submit → track → (staff reply) →
evaluate by the SMS link. Screenshots land in test-results/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demands import actions
from demands.models import Demand, State

from . import test_portal

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture
def site(browser, transactional_db, live_server, org, personas, categories, settings):
    settings.SMS_GATEWAY = "tests.test_portal.Gateway"
    test_portal.SENT.clear()
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"sideways scrolling: {width}px"


def test_a_citizen_submits_tracks_and_evaluates_on_a_phone(browser, site, org, personas):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda r: r.abort())
    page.goto(site + "/")
    page.get_by_role("link", name="我要反映").first.click()
    page.get_by_label("群众").check()
    page.fill("#category-search", "垃圾")
    expect(page.locator("#id_category")).to_have_value("baolu-laji")
    page.get_by_label("一句话说明问题").fill("幸福路小区门口垃圾堆积")
    page.get_by_label("详细描述").fill("幸福路12号门口垃圾两天没人清运，气味很大。")
    page.get_by_label("地点").fill("幸福路12号")
    page.locator("#pick-map").click()  # no tiles offline: the pin still works
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.get_by_label("您的称呼").fill("王芳")
    page.get_by_label("手机号码").fill("13905271234")
    page.get_by_label("同意在公众诉求栏公开本诉求（隐去姓名、电话和详细门牌）").check()
    fits(page)
    page.screenshot(path=SHOTS / "portal-submit.png", full_page=True)
    page.get_by_role("button", name="提交").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    page.screenshot(path=SHOTS / "portal-submitted.png", full_page=True)
    demand = Demand.objects.get(number=number)
    assert demand.latitude is not None and demand.consent_publish

    # Staff work the demand through the service loop.
    demand = actions.receive(personas.receiver, demand)
    demand = actions.dispatch(personas.dispatcher, demand, org.unit_a)
    demand = actions.accept(personas.handler_a, demand)
    actions.reply(personas.handler_a, demand, "您好，垃圾已清运完毕，感谢您的反映。")

    page.get_by_role("link", name="查询进度").click()
    page.get_by_label("诉求编号").fill(number)
    page.get_by_label("手机号后四位").fill("1234")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("public-state")).to_have_text("待回访")
    expect(page.get_by_test_id("public-timeline")).to_contain_text("垃圾已清运完毕")
    fits(page)
    page.screenshot(path=SHOTS / "portal-track.png", full_page=True)

    link = re.search(r"https?://[^/]+(/e/\S+/)", test_portal.SENT[-1][1]).group(1)
    page.goto(site + link)
    page.get_by_label("非常满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("evaluated")).to_contain_text("感谢您的评价")
    page.screenshot(path=SHOTS / "portal-evaluated.png", full_page=True)
    assert Demand.objects.get(number=number).state == State.CLOSED
    page.goto(site + link)
    expect(page.get_by_test_id("invalid-link")).to_be_visible()
    page.close()
