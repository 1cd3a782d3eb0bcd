"""Recording a grassroots visit from a phone (issue #12), in a real Chromium at 390 px: a
leader opens the record form from the home page, logs the visit with a photo from the
camera, and sees their target's bar move on the targets page. Screenshots land in
test-results/screenshots/ (activities-*.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from activities import actions
from activities.models import Activity, ActivityKind, Target, TargetSubject
from campaigns.models import Campaign
from org.models import Role

from .conftest import PASSWORD
from .test_accessibility import serious
from .test_photos import jpeg_with_gps

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(browser, transactional_db, live_server, personas, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    campaign = Campaign.objects.create(code=f"c{today.year}", name="争创“三满意”机关活动",
                                       starts_on=dt.date(today.year, 1, 1),
                                       ends_on=dt.date(today.year, 12, 31),
                                       office_unit=org.supervision)
    Target.objects.create(campaign=campaign, label="每位党组成员每年下基层挂钩帮扶不少于6次",
                          kind=ActivityKind.VISIT, count=6, subject=TargetSubject.ROLE,
                          role=Role.LEADER, period_start=campaign.starts_on,
                          period_end=campaign.ends_on)
    actions.record(ActivityKind.VISIT, {"occurred_on": campaign.starts_on + dt.timedelta(days=9),
                                        "visited": "项里社区", "summary": "年初走访。"},
                   [personas.leader], by=personas.leader)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def _leader_row(page):
    return page.get_by_test_id("row").filter(has_text="钱局长")


def test_a_leader_logs_a_visit_from_a_phone_and_sees_the_bar_move(browser, site, personas):
    page = browser.new_page(viewport=PHONE, has_touch=True, is_mobile=True,
                            device_scale_factor=2, locale="zh-CN")
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")

    # before: 1 of 6
    page.goto(site + "/console/targets/")
    row = _leader_row(page)
    expect(row.get_by_test_id("done")).to_have_text("1")
    before = row.get_by_test_id("bar").evaluate("bar => bar.getBoundingClientRect().width")
    page.screenshot(path=SHOTS / "activities-targets-before.png", full_page=True)

    # the home page's pace card leads to the form
    page.goto(site + "/console/")
    expect(page.get_by_test_id("pace-alerts")).to_be_visible()
    page.screenshot(path=SHOTS / "activities-home.png", full_page=True)
    page.get_by_test_id("home-record").click()
    page.wait_for_url("**/console/activities/new/")
    expect(page.get_by_test_id("kind-visit")).to_have_attribute("aria-current", "page")
    # the submit button stays in reach while the form is longer than the screen
    submit = page.get_by_test_id("submit")
    box = submit.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    date = page.get_by_label("日期")
    expect(date).to_have_value(f"{timezone.localdate():%Y-%m-%d}")
    expect(date).to_have_attribute("type", "date")
    page.get_by_label("走访单位/社区").fill("幸福社区")
    page.get_by_label("地点").fill("幸福社区居委会")
    page.get_by_label("内容摘要").fill("与社区书记座谈，了解背街小巷垃圾清运不及时的问题。")
    page.get_by_label("接待/座谈对象").fill("社区书记、网格员")
    photo = page.get_by_label("现场照片（最多 9 张）")
    expect(photo).to_have_attribute("accept", "image/*")
    expect(photo).to_have_attribute("capture", "environment")
    photo.set_input_files({"name": "现场.jpg", "mimeType": "image/jpeg",
                           "buffer": jpeg_with_gps(1200, 900)})
    assert not serious(Axe().run(page))
    page.screenshot(path=SHOTS / "activities-record-form.png", full_page=True)
    page.screenshot(path=SHOTS / "activities-record-form-viewport.png")
    submit.click()
    page.wait_for_url("**/console/activities/*/")
    expect(page.get_by_text("已记录下基层走访。")).to_be_visible()
    expect(page.get_by_test_id("thumb")).to_have_count(1)
    expect(page.get_by_test_id("people")).to_have_text("钱局长")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SHOTS / "activities-detail.png", full_page=True)
    activity = Activity.objects.get(visited="幸福社区")
    assert activity.photos.count() == 1 and list(activity.people.all()) == [personas.leader]

    # after: 2 of 6, the bar longer
    page.goto(site + "/console/targets/")
    row = _leader_row(page)
    expect(row.get_by_test_id("done")).to_have_text("2")
    expect(row.get_by_test_id("percent")).to_have_text("33%")
    after = row.get_by_test_id("bar").evaluate("bar => bar.getBoundingClientRect().width")
    assert after > before
    assert not serious(Axe().run(page))
    page.screenshot(path=SHOTS / "activities-targets-after.png", full_page=True)

    # the list shows it first
    page.goto(site + "/console/activities/")
    expect(page.get_by_test_id("activity-row").first).to_contain_text("幸福社区")
    page.screenshot(path=SHOTS / "activities-list.png", full_page=True)
