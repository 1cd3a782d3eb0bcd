"""The citizen's side in Chromium on a 360-px phone: submit → track → (staff reply) →
evaluate by the SMS link. Screenshots land in test-results/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demands.actions import handover, replies
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
    # the category search is wired by a deferred script: typing before the page has
    # loaded would go unheard (a once-seen flake in CI)
    page.wait_for_url(re.compile(r"/submit/$"), wait_until="load")
    page.get_by_label("群众").check()
    page.fill("#category-search", "垃圾")
    expect(page.locator("#id_category")).to_have_value("baolu-laji")
    page.get_by_label("一句话说明问题").fill("幸福路小区门口垃圾堆积")
    page.get_by_label("详细描述").fill("幸福路12号门口垃圾两天没人清运，气味很大。")
    page.get_by_label("地点").fill("幸福路12号")
    page.locator("#pick-map").click()  # no tiles offline: the pin still works
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.get_by_label("您的称呼").fill("王芳")
    page.get_by_label("联系电话").fill("13905271234")
    page.get_by_label("同意在公众诉求栏公开本诉求（隐去姓名、电话和详细门牌）").check()
    fits(page)
    page.screenshot(path=SHOTS / "portal-submit.png", full_page=True)
    page.get_by_role("button", name="提交").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    page.screenshot(path=SHOTS / "portal-submitted.png", full_page=True)
    demand = Demand.objects.get(number=number)
    assert demand.latitude is not None and demand.consent_publish

    # Staff work the demand through the service loop.
    demand = handover.receive(personas.receiver, demand)
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
    demand = handover.accept(personas.handler_a, demand)
    replies.reply(personas.handler_a, demand, "您好，垃圾已清运完毕，感谢您的反映。")

    page.get_by_role("link", name="查询进度").click()
    page.get_by_label("诉求编号").fill(number)
    page.get_by_label("联系电话后四位").fill("1234")
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


def test_an_enterprise_submits(browser, site):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto(site + "/submit/")
    page.get_by_role("radio", name="企业").check()
    page.select_option("#id_category", "zhandao")
    page.get_by_label("一句话说明问题").fill("厂区门口占道经营影响货车进出")
    page.get_by_label("详细描述").fill("每天早上厂门口摊贩占道，货车无法进出。")
    page.get_by_label("地点").fill("宿迁市发展大道66号")
    page.get_by_label("您的称呼").fill("赵经理")
    page.get_by_label("联系电话").fill("13705270000")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("field-error")).to_contain_text("企业诉求请填写企业名称")
    page.get_by_label("单位/企业名称").fill("宿迁市御珍家私有限公司")
    page.get_by_role("button", name="提交").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    page.screenshot(path=SHOTS / "portal-enterprise.png", full_page=True)
    demand = Demand.objects.get(number=number)
    assert demand.requester_kind == "enterprise"
    assert demand.requester_org == "宿迁市御珍家私有限公司"
    page.close()


def test_booking_and_cancelling_an_appointment(browser, site, org):
    import datetime as dt

    from django.utils import timezone

    from appointments.models import Booking, Slot, Window

    window = Window.objects.create(code="w1", name="政务服务中心城管窗口", unit=org.unit_a,
                                   location="3号楼2楼")
    start = timezone.localtime() + dt.timedelta(days=1)
    start = start.replace(hour=9, minute=30, second=0, microsecond=0)
    Slot.objects.create(window=window, starts_at=start,
                        ends_at=start + dt.timedelta(minutes=30), capacity=1)
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto(site + "/appointments/")
    page.get_by_test_id("slot").first.click()
    page.get_by_label("姓名").fill("刘先生")
    page.get_by_label("手机号码").fill("13812345678")
    page.get_by_role("button", name="确认预约").click()
    code = page.get_by_test_id("cancel-code").inner_text().strip()
    page.screenshot(path=SHOTS / "portal-booked.png", full_page=True)
    page.goto(site + "/appointments/")
    expect(page.get_by_text("约满")).to_be_visible()
    page.goto(site + "/appointments/cancel/")
    page.get_by_label("取消码").fill(code)
    page.get_by_label("手机号后四位").fill("5678")
    page.get_by_role("button", name="取消预约").click()
    expect(page.get_by_test_id("cancelled")).to_be_visible()
    assert Booking.objects.get(code=code).cancelled_at is not None
    page.close()


def test_printing_a_one_time_notice(browser, site, org):
    from catalog.models import ServiceItem

    ServiceItem.objects.create(code="hwgg", name="户外广告设施设置审批", unit=org.unit_a,
                               materials="申请表\n营业执照复印件", steps="受理\n决定",
                               time_limit="10 个工作日", window="城管窗口")
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    page.goto(site + "/services/hwgg/")
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()  # the print view is the notice alone
    expect(page.get_by_test_id("notice")).to_contain_text("营业执照复印件")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    (SHOTS / "notice.pdf").write_bytes(pdf)
    page.screenshot(path=SHOTS / "notice-print.png", full_page=True)
    page.close()


def test_the_sanliang_board_shows_an_away_notice(browser, site, org, personas):
    import datetime as dt

    from django.utils import timezone

    from org import actions as org_actions
    from org.models import StaffProfile

    me = StaffProfile.objects.get(user=personas.handler_a)
    org_actions.post_away(personas.handler_a, me, "现场处置",
                          timezone.now() + dt.timedelta(hours=2),
                          covered_by=StaffProfile.objects.get(user=personas.head_a))
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto(site + "/board/")
    page.goto(site + f"/board/{org.unit_a.code}/")
    expect(page.get_by_test_id("away-notice")).to_contain_text("张承办")
    expect(page.get_by_test_id("away-notice")).to_contain_text("由 王处长 代岗")
    page.screenshot(path=SHOTS / "portal-sanliang.png", full_page=True)
    page.close()
