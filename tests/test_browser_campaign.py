"""The office sees a late unit and sends a reminder; the unit's head sees it on their home
page and inbox and files the plan from a phone (issue #12), in a real Chromium at 1280 and
390 px. Screenshots land in test-results/screenshots/ (campaign-*.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from campaigns import actions
from campaigns.models import Filing, GroupPosition
from org.models import Role

from .conftest import PASSWORD, make_staff
from .test_accessibility import serious

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def site(browser, transactional_db, live_server, personas, org, settings, tmp_path):
    """A campaign under way: its first phase's plan was due five days ago and nobody has
    filed it; the monthly report of the second phase comes later."""
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    office = make_staff("office", "吴办公", org.bureau, (Role.OFFICE, None))
    campaign = actions.create_campaign(
        {"code": f"sanmanyi-{today.year}", "name": "争创“三满意”机关活动",
         "motto": "办群众所需，让群众满意", "starts_on": today - dt.timedelta(days=60),
         "ends_on": today + dt.timedelta(days=120), "office_unit": org.supervision},
        by=office, participants=[org.unit_a, org.unit_b])
    first = actions.save_phase(campaign, {"name": "动员部署",
                                          "starts_on": campaign.starts_on,
                                          "ends_on": today + dt.timedelta(days=20)}, by=office)
    push = actions.save_phase(campaign, {"name": "集中推进",
                                         "starts_on": today + dt.timedelta(days=21),
                                         "ends_on": campaign.ends_on}, by=office)
    actions.save_requirement(first, {
        "kind": "plan", "title": "实施方案", "due_on": today - dt.timedelta(days=5),
        "guidance": "明确目标任务、创建标准、序时进度、推进措施和牵头负责人。"}, by=office)
    actions.save_requirement(push, {"kind": "monthly", "title": "月度进展", "due_day": 5},
                             by=office)
    actions.add_group_member(campaign, personas.leader, GroupPosition.LEADER, "全面领导",
                             by=office)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def sign_in(browser, site, username, viewport):
    page = browser.new_page(viewport=viewport, locale="zh-CN",
                            **({"is_mobile": True, "has_touch": True,
                                "device_scale_factor": 2} if viewport == PHONE else {}))
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")
    return page


def test_the_office_reminds_a_late_unit_and_its_head_files_the_plan(browser, site, org):
    # the office: the home page's 逾期未报 leads to the board, filtered
    office = sign_in(browser, site, "office", DESK)
    missing = office.get_by_test_id("todo-filings_missing")
    expect(missing.get_by_test_id("todo-count")).to_have_text("2")
    missing.click()
    office.wait_for_url("**/phases/*/filings/?status=missing")
    row = office.get_by_test_id("board-row").filter(has_text="环境卫生管理处")
    expect(row.get_by_test_id("cell-status")).to_have_text("逾期未报")
    assert not serious(Axe().run(office))
    office.screenshot(path=SHOTS / "campaign-board.png", full_page=True)
    row.get_by_test_id("remind").click()
    expect(office.get_by_text("已向“环境卫生管理处”催报实施方案。")).to_be_visible()
    row = office.get_by_test_id("board-row").filter(has_text="环境卫生管理处")
    expect(row.get_by_test_id("reminded")).to_contain_text("已催报")
    expect(row.get_by_test_id("reminded")).to_be_disabled()
    expect(row.get_by_test_id("remind")).to_have_count(0)
    office.screenshot(path=SHOTS / "campaign-board-reminded.png", full_page=True)
    # the campaign page: document, group, phases with their counts
    office.get_by_role("link", name="争创“三满意”机关活动").first.click()
    expect(office.get_by_test_id("status-counts").first).to_contain_text("逾期未报 2")
    office.screenshot(path=SHOTS / "campaign-detail.png", full_page=True)
    office.set_viewport_size(PHONE)
    office.goto(site + "/console/filings/")
    office.screenshot(path=SHOTS / "campaign-board-phone.png", full_page=True)

    # the unit's head, on a phone: the reminder in the inbox, the filing on the home page
    head = sign_in(browser, site, "head_a", PHONE)
    owed = head.get_by_test_id("owed-item").filter(has_text="实施方案")
    expect(owed).to_contain_text("逾期未报")
    head.screenshot(path=SHOTS / "campaign-home-phone.png", full_page=True)
    head.goto(site + "/console/inbox/")
    expect(head.get_by_text("催报：实施方案").first).to_be_visible()
    head.screenshot(path=SHOTS / "campaign-inbox-phone.png", full_page=True)
    head.goto(site + "/console/")
    head.get_by_test_id("owed-item").get_by_role("link", name="实施方案").click()
    head.wait_for_url("**/filings/**")
    expect(head.get_by_test_id("late-warning")).to_be_visible()
    assert head.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    form = head.get_by_test_id("filing-form")
    form.get_by_label("目标任务").fill("群众满意率达到95%以上")
    form.get_by_label("创建标准").fill("三亮三创，服务事项一次性告知")
    form.get_by_label("序时进度").fill("3月底前完成动员，6月底前完成整改")
    form.get_by_label("推进措施").fill("错时服务、预约服务、延时服务")
    form.get_by_label("牵头负责人").fill("王处长")
    form.locator("input[type=file]").set_input_files({
        "name": "实施方案.pdf", "mimeType": "application/pdf", "buffer": PDF})
    head.screenshot(path=SHOTS / "campaign-filing-phone.png", full_page=True)
    assert not serious(Axe().run(head))
    head.get_by_test_id("submit").click()
    head.wait_for_url("**/history/")
    expect(head.get_by_test_id("filing-status")).to_have_text("逾期报送")
    expect(head.get_by_test_id("version")).to_have_count(1)
    expect(head.get_by_test_id("attachment")).to_have_text("实施方案.pdf")
    expect(head.get_by_test_id("reminder")).to_contain_text("办公室已于")
    assert head.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    head.screenshot(path=SHOTS / "campaign-history-phone.png", full_page=True)
    filing = Filing.objects.get(unit=org.unit_a)
    assert filing.late and filing.current.lead == "王处长"

    # the office's board now says so
    office.set_viewport_size(DESK)
    office.goto(site + "/console/filings/")
    row = office.get_by_test_id("board-row").filter(has_text="环境卫生管理处")
    expect(row.get_by_test_id("cell-status")).to_have_text("逾期报送")
