"""The public pages and the page language in a real Chromium: the board and the tracking
page on a 390-px phone show the masked text; a month input reads Chinese. Screenshots land
in test-results/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from demands.actions import replies

from .conftest import PASSWORD
from .demand_helpers import handling
from .test_public_privacy import CONTENT, SECRETS, TITLE

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(browser, transactional_db, live_server, org, personas, categories):
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"sideways scrolling: {width}px"


def no_secrets(page, where):
    text = page.locator("body").inner_text()
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} on {where}"


def test_the_board_and_tracking_show_masked_text_on_a_phone(browser, site, org, personas,
                                                            categories):
    demand = handling(personas, org, categories.litter, channel="portal",
                      requester_name="李建国", requester_phone="13812345678",
                      consent_publish=True, title=TITLE, content=CONTENT,
                      address="宿迁市幸福路12号3单元", longitude="118.275432",
                      latitude="33.963219")
    replies.reply(personas.handler_a, demand,
                  "李先生您好，已联系物业张师傅（13905279876）清运完毕，感谢您的反映。")
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.route("**/*", lambda route: route.abort() if "127.0.0.1" not in route.request.url
               and "localhost" not in route.request.url else route.continue_())
    page.goto(site + "/demands/")
    card = page.get_by_test_id("public-demand")
    expect(card).to_contain_text("李**家门口垃圾堆积")
    expect(card).to_contain_text("李**您好，已联系物业张**（139****9876）")
    no_secrets(page, "the board")
    fits(page)
    page.screenshot(path=SHOTS / "public-board-390.png", full_page=True)

    page.goto(site + "/track/")
    page.get_by_label("诉求编号").fill(demand.number)
    page.get_by_label("联系电话后四位").fill("5678")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("public-timeline")).to_contain_text("李**您好")
    expect(page.get_by_role("heading", name="李**家门口垃圾堆积")).to_be_visible()
    no_secrets(page, "the tracking page")
    fits(page)
    page.screenshot(path=SHOTS / "public-track-390.png", full_page=True)
    context.close()


def rendered_texts(page) -> list[str]:
    """What Chromium draws inside the page's date/month input: the texts under its node in
    the accessibility tree ("2026", "年", "12", "月" — or "December", "2026")."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    by_id = {node["nodeId"]: node for node in nodes}
    todo = [node["nodeId"] for node in nodes
            if node.get("role", {}).get("value") == "DateTime"]
    assert len(todo) == 1, "one date/month input expected"
    texts = []
    while todo:
        node = by_id[todo.pop(0)]
        if node.get("role", {}).get("value") == "StaticText":
            texts.append(node["name"]["value"])
        todo += [child for child in node.get("childIds", []) if child in by_id]
    return texts


def test_a_month_input_reads_chinese(browser, site, personas):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")
    page.goto(site + "/console/dashboard/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    month = page.locator("input[type=month]")
    month.fill("2026-12")
    texts = rendered_texts(page)
    assert "年" in texts and "月" in texts, texts
    assert "December" not in texts
    month.screenshot(path=SHOTS / "console-month-input-zh.png")
    context.close()
