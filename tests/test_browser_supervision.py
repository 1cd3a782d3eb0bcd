"""The supervision office issues an order (督查督办单) about an inspection finding with a
photo, the unit's head answers it from a phone with evidence, the office accepts it
(issue #13 acceptance), in a real Chromium; no JavaScript error on the way. Screenshots
land in docs/screenshots/supervision-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from demands.actions import handover
from demands.models import Demand

from .conftest import PASSWORD
from .demand_helpers import registered
from .test_accessibility import serious
from .test_photos import jpeg_with_gps

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def site(browser, transactional_db, live_server, personas, org, categories, settings,
         tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # a demand of unit A, open: its page offers 下达督办单 to the office
    when = timezone.localtime() - dt.timedelta(days=2)
    demand = registered(personas, categories.litter, f"{when:%Y-%m-%d %H:%M}")
    handover.dispatch(personas.dispatcher, demand, org.unit_a)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


class Session:
    """A signed-in page that keeps every JavaScript error and console error it sees."""

    def __init__(self, browser, site, username, viewport):
        self.errors: list[str] = []
        extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} \
            if viewport == PHONE else {}
        self.page = browser.new_page(viewport=viewport, locale="zh-CN", **extra)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("console", lambda message: self.errors.append(
            f"{message.type}: {message.text}") if message.type == "error" else None)
        self.page.goto(site + "/console/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(site + "/console/")


def test_the_office_issues_the_unit_answers_the_office_accepts(browser, site):
    office = Session(browser, site, "supervisor", DESK)
    page = office.page
    page.get_by_role("button", name="督查考核").click()
    page.get_by_role("link", name="督查督办").click()
    page.wait_for_url("**/console/orders/")
    page.get_by_test_id("issue-order").click()
    page.wait_for_url("**/console/orders/new/")
    form = page.get_by_test_id("issue-form")
    expect(form.get_by_label("诉求编号")).to_be_visible()  # the default subject: a demand
    expect(form.get_by_label("检查发现的问题")).to_be_hidden()
    form.get_by_role("radio", name="检查发现").check()
    expect(form.get_by_label("诉求编号")).to_be_hidden()
    form.get_by_label("检查发现的问题").fill("幸福路与人民大道路口垃圾桶满溢，周边有散落垃圾。")
    form.get_by_label("检查地点").fill("幸福路与人民大道路口")
    form.locator("input[name=photo_files]").set_input_files({
        "name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(1200, 800)})
    form.get_by_label("被督办单位").select_option("huanwei")
    form.get_by_label("标题").fill("幸福路路口垃圾桶满溢")
    form.get_by_label("督办要求").fill("三个工作日内清理到位，反馈整改情况和长效措施。")
    assert not serious(Axe().run(page))
    page.screenshot(path=SHOTS / "supervision-issue.png", full_page=True)
    form.get_by_test_id("submit").click()
    page.wait_for_url("**/console/orders/DB*/")
    expect(page.get_by_test_id("state")).to_have_text("已下达")
    expect(page.get_by_test_id("thumb")).to_have_count(1)
    number = page.get_by_test_id("number").inner_text()
    assert number.startswith(f"DB{timezone.localdate().year}")
    expect(page.get_by_text(f"已下达督查督办单 {number}，已通知环境卫生管理处。")).to_be_visible()
    page.screenshot(path=SHOTS / "supervision-issued.png", full_page=True)

    # the unit's head, on a phone: the order waits on the home page; the answer with a
    # photo and a PDF goes through htmx
    head = Session(browser, site, "head_a", PHONE)
    phone = head.page
    expect(phone.get_by_test_id("todo-orders_awaiting").get_by_test_id("todo-count")) \
        .to_have_text("1")
    rows = phone.get_by_test_id("order-rows")
    expect(rows).to_contain_text("幸福路路口垃圾桶满溢")
    phone.screenshot(path=SHOTS / "supervision-home-phone.png", full_page=True)
    rows.get_by_role("link", name="幸福路路口垃圾桶满溢").click()
    phone.wait_for_url(f"**/console/orders/{number}/")
    answer = phone.locator("form[data-action=answer]")
    answer.get_by_label("反馈内容").fill("已组织保洁人员清理完毕，路口增设垃圾桶2个，保洁频次增至每日三次。")
    answer.locator("input[name=photos]").set_input_files({
        "name": "整改后.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(800, 600)})
    answer.locator("input[name=files]").set_input_files({
        "name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF})
    answer.get_by_role("button", name="反馈").click()
    expect(phone.get_by_test_id("state")).to_have_text("已反馈")
    expect(phone.get_by_test_id("answer")).to_contain_text("增设垃圾桶2个")
    expect(phone.get_by_test_id("files")).to_contain_text("整改报告.pdf")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not serious(Axe().run(phone))
    phone.screenshot(path=SHOTS / "supervision-answered-phone.png", full_page=True)

    # the office: 待审核反馈 on the home page, 办结 on the order's page
    page.goto(site + "/console/")
    waiting = page.get_by_test_id("todo-orders_answered")
    expect(waiting.get_by_test_id("todo-count")).to_have_text("1")
    waiting.click()
    page.wait_for_url("**/console/orders/?state=answered")
    page.get_by_role("link", name=number).click()
    accept = page.locator("form[data-action=accept]")
    accept.get_by_label("办结意见").fill("整改到位，同意办结。")
    accept.get_by_role("button", name="办结").click()
    expect(page.get_by_test_id("state")).to_have_text("已办结")
    expect(page.locator("form[data-action=accept]")).to_have_count(0)
    expect(page.get_by_test_id("timeline")).to_contain_text("办结")
    assert not serious(Axe().run(page))
    page.screenshot(path=SHOTS / "supervision-accepted.png", full_page=True)
    page.goto(site + "/console/orders/")
    expect(page.get_by_test_id("order-row")).to_have_count(1)
    page.screenshot(path=SHOTS / "supervision-list.png", full_page=True)

    assert office.errors == [] and head.errors == []


def test_an_order_from_a_demands_page(browser, site):
    office = Session(browser, site, "supervisor", DESK)
    page = office.page
    page.goto(site + f"/console/demands/{Demand.objects.get().number}/")
    page.get_by_test_id("issue-order").click()
    page.wait_for_url("**/console/orders/new/?demand=*")
    form = page.get_by_test_id("issue-form")
    expect(form.get_by_label("诉求编号")).to_be_visible()
    expect(form.get_by_label("被督办单位")).to_have_value("huanwei")
    form.get_by_label("督办要求").fill("说明办理进展。")
    form.get_by_test_id("submit").click()
    page.wait_for_url("**/console/orders/DB*/")
    expect(page.get_by_test_id("demands")).to_be_visible()
    assert office.errors == []
