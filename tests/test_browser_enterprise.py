"""An enterprise's page in a real Chromium (issue #12, item 5): a paired cadre opens 挂钩企业
from the top bar and sees the enterprise's pairing, annual goals, demands, support actions
and satisfaction line, at 1280 px and on a 390 px phone. Screenshots land in
test-results/screenshots/ (enterprise-*.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, ActivityKind
from campaigns.models import Campaign
from demands.models import Demand
from enterprises import actions
from enterprises.models import Enterprise
from org.models import Role

from .conftest import PASSWORD, make_staff
from .demand_helpers import handling
from .test_accessibility import serious

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(browser, transactional_db, live_server, personas, org, categories):
    today = timezone.localdate()
    office = make_staff("office", "吴办公", org.bureau, (Role.OFFICE, None))
    cadre = make_staff("cadre", "刘干部", org.unit_b, (Role.HANDLER, org.unit_b))
    kosi = Enterprise.objects.create(name="科思化工", short_name="科思化工", industry="化工",
                                     address="宿迁市宿豫区化工园区", contact_name="许经理",
                                     contact_phone="13912345678")
    Enterprise.objects.create(name="江苏托维亮化科技有限公司", industry="照明亮化工程")
    pairing = actions.save_pairing(
        kosi, org.unit_a, today.year, [cadre, personas.head_a],
        "每季度上门走访一次；协调解决厂区周边道路破损、路灯不亮和渣土运输问题；"
        "企业诉求优先办理、办理结果当面反馈。", office)
    actions.add_goal(pairing, "协调修复厂区门口道路", dt.date(today.year, 12, 31), office)
    done = actions.add_goal(pairing, "厂区周边路灯全部亮灯", dt.date(today.year, 9, 30), office)
    actions.complete_goal(done, today - dt.timedelta(days=20),
                          "新装路灯 12 盏并通电，企业出具回执。", office)
    actions.save_secondment({"cadre": cadre.pk, "enterprise": kosi, "duty": "驻企联络员",
                             "starts_on": dt.date(today.year, 3, 1)}, office)
    # the enterprise's demands over the months, some evaluated
    for months_ago, level, title in [(5, 5, "厂区门口道路破损严重"), (3, 2, "渣土车夜间运输扰民"),
                                     (3, 4, "厂区周边路灯不亮"), (1, 4, "园区路口占道经营"),
                                     (0, None, "厂区东侧垃圾堆放")]:
        month = today.replace(day=1) - dt.timedelta(days=28 * months_ago)
        when = f"{month:%Y-%m}-05 09:00"
        demand = handling(personas, org, categories.litter, when=when,
                          requester_kind="enterprise", enterprise=kosi,
                          requester_org="科思化工", title=title)
        if level:
            Demand.objects.filter(pk=demand.pk).update(
                first_evaluated_at=demand.submitted_at + dt.timedelta(days=3),
                first_evaluation_level=level)
    campaign = Campaign.objects.create(code=f"c{today.year}", name="争创“三满意”机关活动",
                                       starts_on=dt.date(today.year, 1, 1),
                                       ends_on=dt.date(today.year, 12, 31),
                                       office_unit=org.supervision)
    now = timezone.now()
    for days, summary, result in [
            (40, "协调供电部门为厂区道路接入路灯电源", "路灯 12 盏已通电"),
            (10, "上门走访，了解企业渣土运输需求", "办理渣土运输核准，限定夜间线路")]:
        action = Activity.objects.create(
            kind=ActivityKind.SUPPORT, campaign=campaign, unit=org.unit_a,
            occurred_on=today - dt.timedelta(days=days), summary=summary, result=result,
            enterprise=kosi, created_by=personas.head_a, created_at=now, updated_at=now)
        action.people.set([personas.head_a, cadre])
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def _sign_in(page, site, username):
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")


def _shows_everything(page):
    expect(page.get_by_test_id("enterprise-name")).to_have_text("科思化工")
    pairing = page.get_by_test_id("pairing")
    expect(pairing.get_by_test_id("pairing-unit")).to_have_text("环境卫生管理处")
    expect(pairing.get_by_test_id("cadres")).to_contain_text("刘干部")
    expect(pairing.get_by_test_id("plan")).to_contain_text("每季度上门走访一次")
    goals = page.get_by_test_id("goal")
    expect(goals).to_have_count(2)
    expect(goals.filter(has_text="厂区周边路灯全部亮灯").get_by_test_id("goal-state")) \
        .to_have_text("已完成")
    expect(goals.filter(has_text="协调修复厂区门口道路").get_by_test_id("goal-state")) \
        .to_have_text("未完成")
    expect(page.get_by_test_id("evidence")).to_contain_text("新装路灯 12 盏")
    expect(page.get_by_test_id("demand")).to_have_count(5)
    expect(page.get_by_test_id("demand").first).to_contain_text("厂区东侧垃圾堆放")
    expect(page.get_by_test_id("support-action")).to_have_count(2)
    expect(page.get_by_test_id("support-result").first).to_contain_text("渣土运输核准")
    expect(page.get_by_test_id("secondment")).to_contain_text("驻企联络员")
    expect(page.locator("#satisfaction-chart canvas")).to_have_count(1)


def test_a_cadre_sees_their_enterprise_at_1280_and_on_a_phone(browser, site):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    _sign_in(page, site, "cadre")
    page.get_by_role("button", name="创建活动").click()
    page.get_by_role("link", name="挂钩企业").click()
    page.wait_for_url("**/console/enterprises/")
    rows = page.get_by_test_id("enterprise-row")
    expect(rows).to_have_count(1)  # their own enterprise only
    expect(rows.first).to_contain_text("我挂钩")
    page.screenshot(path=SHOTS / "enterprise-list.png", full_page=True)
    rows.first.get_by_role("link", name="科思化工").click()
    page.wait_for_url("**/console/enterprises/*/?year=*")
    _shows_everything(page)
    expect(page.get_by_test_id("contact-phone")).to_have_text("13912345678")
    # read-only for a cadre: no edit buttons
    expect(page.get_by_test_id("pairing-edit")).to_have_count(0)
    expect(page.get_by_test_id("goal-complete")).to_have_count(0)
    page.screenshot(path=SHOTS / "enterprise-desktop.png", full_page=True)
    assert not serious(Axe().run(page))
    # the cadre opens the enterprise's demand (not in their own unit)
    page.get_by_test_id("demand").first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("厂区东侧垃圾堆放")

    phone = browser.new_page(viewport=PHONE, has_touch=True, is_mobile=True,
                             device_scale_factor=2, locale="zh-CN")
    _sign_in(phone, site, "cadre")
    phone.goto(site + f"/console/enterprises/{Enterprise.objects.get(name='科思化工').pk}/")
    _shows_everything(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=SHOTS / "enterprise-phone.png", full_page=True)


def test_the_office_edits_the_pairing_and_completes_a_goal(browser, site):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    _sign_in(page, site, "office")
    page.goto(site + f"/console/enterprises/{Enterprise.objects.get(name='科思化工').pk}/")
    goal = page.get_by_test_id("goal").filter(has_text="协调修复厂区门口道路")
    goal.get_by_test_id("goal-complete").click()
    page.get_by_label("完成情况（佐证材料）").fill("道路已修复，企业确认。")
    page.get_by_test_id("save").click()
    expect(page.get_by_text("已将“协调修复厂区门口道路”标记为完成。")).to_be_visible()
    expect(page.get_by_test_id("goal-progress")).to_have_text("目标完成 2/2")
    page.get_by_test_id("pairing-edit").click()
    page.get_by_label("帮办计划").fill("每月上门走访一次。")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("plan")).to_have_text("每月上门走访一次。")
    page.screenshot(path=SHOTS / "enterprise-office.png", full_page=True)
