"""A practical project in a real Chromium (issue #11): a leader turns a hotspot into a
project, fills in its plan, adds milestones, approves it once the office has, posts an
update with a photo and confirms a milestone; the list, its print view. Screenshots land in
test-results/screenshots/ (console-project-*.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from org.models import Role
from projects import actions
from projects.models import MilestoneState, Project, ProjectState

from .conftest import PASSWORD, make_staff
from .hotspot_helpers import FUMES, FUMES_POINT, MUCK, MUCK_POINT, plant, plant_noise
from .test_accessibility import serious
from .test_photos import jpeg_with_gps

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture
def site(browser, transactional_db, live_server, personas, categories, org):
    plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    plant(personas, categories.litter, FUMES, FUMES_POINT, seed=2)
    plant_noise(personas, categories.stall)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def test_a_leader_turns_a_hotspot_into_a_project_and_reports_progress(browser, site, org):
    office = make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))
    today = timezone.localdate()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")

    # the hotspot becomes a project in 草稿, with its demands
    page.goto(site + "/console/hotspots/?since=2026-11-01&until=2026-11-30")
    card = page.get_by_test_id("hotspot").first
    card.locator("summary", has_text="实事项目").click()
    card.locator("input[name=title]").fill("发展大道渣土车撒漏整治")
    card.locator("form[action$='/project-drafts/new/'] button[type=submit]").click()
    page.wait_for_url("**/console/projects/*/")
    expect(page.get_by_test_id("state")).to_have_text("草稿")
    expect(page.get_by_test_id("project-demands").locator("tbody tr")).to_have_count(8)
    expect(page.get_by_test_id("hotspot")).to_contain_text("渣土车")
    project = Project.objects.get()

    # the plan: unit, leader, deadline, measures
    page.get_by_test_id("edit").click()
    page.get_by_label("责任单位").select_option("huanwei")
    page.get_by_label("牵头领导").select_option("leader")
    page.get_by_label("完成时限").fill(f"{today + dt.timedelta(days=60):%Y-%m-%d}")
    page.get_by_label("推进计划").fill("一个月内完成源头排查，两个月内形成长效机制。")
    page.get_by_label("工作举措").fill("夜间联合巡查；工地出入口冲洗设施全覆盖。")
    page.get_by_label("预算（万元）").fill("35")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/console/projects/{project.pk}/")
    expect(page.get_by_test_id("responsible-unit")).to_have_text("环境卫生管理处")

    # milestones, through htmx; one after the deadline is refused in the form
    add = page.get_by_test_id("milestone-add")
    add.get_by_label("节点名称").fill("源头排查")
    add.get_by_label("计划完成日期").fill(f"{today + dt.timedelta(days=90):%Y-%m-%d}")
    add.get_by_role("button", name="增加里程碑").click()
    expect(page.get_by_test_id("milestone-add").get_by_test_id("field-error")).to_contain_text(
        "里程碑不能晚于项目完成时限")
    for title, days in (("源头排查", 20), ("长效机制建立", 55)):
        add = page.get_by_test_id("milestone-add")
        add.get_by_label("节点名称").fill(title)
        add.get_by_label("计划完成日期").fill(f"{today + dt.timedelta(days=days):%Y-%m-%d}")
        add.get_by_role("button", name="增加里程碑").click()
        expect(page.get_by_test_id("milestone").filter(has_text=title)).to_have_count(1)
    expect(page.get_by_test_id("milestone")).to_have_count(2)
    page.screenshot(path=SHOTS / "console-project-draft.png", full_page=True)

    # the office has reviewed it; the leader approves and it is published
    actions.office_approve(office, project, "材料齐全，同意。")
    page.reload()
    page.locator("form[data-action=leader_approve]").get_by_label("批示").fill("抓紧实施。")
    page.locator("form[data-action=leader_approve] button[type=submit]").click()
    expect(page.get_by_test_id("state")).to_have_text("公示中")

    # a progress update with a photo (its GPS is stripped on the way in)
    panel = page.locator("form[data-action=post_update]")
    panel.get_by_label("进展内容").fill("已完成 12 处工地出入口排查，发现问题 3 处，已督促整改。")
    panel.locator("input[type=file]").set_input_files({
        "name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(1200, 900)})
    panel.get_by_role("button", name="发布进展").click()
    expect(page.get_by_test_id("update")).to_have_count(1)
    expect(page.get_by_test_id("update").get_by_test_id("thumb")).to_have_count(1)
    expect(page.get_by_test_id("state")).to_have_text("推进中")

    # the first milestone done, with evidence and a photo
    first = page.get_by_test_id("milestone").first
    first.locator("summary", has_text="确认完成").click()
    first.get_by_label("完成情况").fill("排查完毕，问题清单已交各中队。")
    first.locator("input[type=file]").set_input_files({
        "name": "清单.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(800, 600)})
    first.get_by_role("button", name="确认完成").click()
    expect(page.get_by_test_id("milestone-done")).to_have_count(1)
    expect(page.get_by_test_id("progress")).to_contain_text("1/2（50%）")
    assert not serious(Axe().run(page))
    page.screenshot(path=SHOTS / "console-project-detail.png", full_page=True)

    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS
    assert project.milestones.filter(state=MilestoneState.DONE).count() == 1
    assert project.photos.count() == 2

    # the list with its progress, and the sheet for the newspaper
    page.goto(site + "/console/projects/")
    row = page.get_by_test_id("project-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1/2（50%）")
    assert not serious(Axe().run(page))
    page.screenshot(path=SHOTS / "console-project-list.png", full_page=True)
    page.get_by_test_id("print-view").click()
    expect(page.get_by_test_id("print-table")).to_contain_text("发展大道渣土车撒漏整治")
    page.emulate_media(media="print")
    page.screenshot(path=SHOTS / "console-project-print.png", full_page=True)
    page.close()
