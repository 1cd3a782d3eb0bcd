"""A practical project as the public sees it, in Chromium on a 390-px phone (issue #11): the
page with its progress bar, milestone timeline, photos and the number of demands behind it;
a citizen's comment held as 待审核 until the office makes it public from 留言审核 in the
console; after completion, ratings on the five levels move the project's satisfaction
figure and a second rating from the same phone is refused in Chinese. axe-core finds no
serious or critical violation on the four public pages. Screenshots land in
test-results/screenshots/ (portal-project-*.png, console-comments*.png)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from org.models import Role
from projects import actions, commitments, public_actions
from projects.models import (
    CommentState,
    CommitmentKind,
    CommitmentSource,
    ProjectRating,
    PublicComment,
)

from .conftest import PASSWORD, make_staff
from .demand_helpers import registered
from .test_accessibility import serious
from .test_photos import jpeg_with_gps

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}
TITLE = "幸福路菜市场周边占道经营整治"


def photo(name: str, width=1200, height=900):
    return SimpleUploadedFile(name, jpeg_with_gps(width, height), content_type="image/jpeg")


@pytest.fixture
def site(browser, transactional_db, live_server, org, personas, categories):
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


@pytest.fixture
def office(org):
    return make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))


@pytest.fixture
def project(site, office, org, personas, categories):
    """A published project in progress: three demands behind it, one of its two
    milestones done with a photo, an update with a photo."""
    today = timezone.localdate()
    when = f"{today - timedelta(days=20):%Y-%m-%d} 09:00"
    demands = [registered(personas, categories.stall, when, title=f"幸福路菜场早市占道{n}",
                          requester_phone=f"1390527{n:04d}") for n in range(3)]
    project = actions.create(
        office, title=TITLE, background="群众多次反映幸福路菜市场周边早市占道，车辆行人通行困难。",
        plan="本月中旬前划定疏导区，月底前启用并建立长效管理机制。",
        measures="划定临时疏导区，错时管理；城管、市场管理方联合巡查。",
        responsible_unit=org.unit_a, deadline=today + timedelta(days=40),
        demand_ids=[d.pk for d in demands])
    first = actions.add_milestone(office, project, "划定疏导区", today + timedelta(days=5))
    actions.add_milestone(office, project, "疏导区启用", today + timedelta(days=30))
    actions.office_approve(office, project, "材料齐全，同意。")
    project = actions.leader_approve(personas.leader, project, "抓紧实施。")
    actions.post_update(personas.head_a, project, "疏导区已放样，设置临时摊位 40 个。",
                        [photo("放样.jpg")])
    actions.complete_milestone(personas.head_a, first, "疏导区已划定并公示摊位分配。",
                               [photo("疏导区.jpg", 800, 600)])
    project.refresh_from_db()
    return project


def fits(page):
    page.wait_for_load_state("load")  # after a form's answer, once its stylesheet and photos are in
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width}px)"


def offline(page):
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda r: r.abort())
    return page


def test_a_citizen_comments_the_office_approves_and_the_public_rates(browser, site, project,
                                                                     office, personas):
    citizen = offline(browser.new_page(viewport=PHONE))
    citizen.goto(site + "/projects/")
    card = citizen.get_by_test_id("public-project")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("源自 3 件群众诉求")
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "50")
    fits(citizen)
    citizen.screenshot(path=SHOTS / "portal-project-list.png", full_page=True)

    # the project's page: progress, the timeline, photos, the demands behind it
    card.get_by_role("link", name=TITLE).click()
    citizen.wait_for_url(f"**/projects/{project.pk}/")
    expect(citizen.get_by_test_id("state")).to_have_text("推进中")
    bar = citizen.locator("main").get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "50")
    expect(bar).to_be_visible()
    milestones = citizen.get_by_test_id("milestones").locator("li")
    expect(milestones).to_have_count(2)
    expect(milestones.first).to_contain_text("划定疏导区")
    expect(milestones.first).to_contain_text("已完成")
    expect(milestones.nth(1)).to_contain_text("计划中")
    expect(citizen.get_by_text("3 件", exact=True)).to_be_visible()
    photos = citizen.locator("main img[alt='现场照片']")
    expect(photos).to_have_count(2)
    for n in range(2):
        photos.nth(n).scroll_into_view_if_needed()
        expect(photos.nth(n)).to_be_visible()
        assert citizen.evaluate("img => img.complete && img.naturalWidth > 0",
                                photos.nth(n).element_handle()), "a photo does not load"
    fits(citizen)
    citizen.screenshot(path=SHOTS / "portal-project-detail.png", full_page=True)

    # a comment: 待审核, not shown
    form = citizen.get_by_test_id("comment-form")
    form.get_by_label("称呼").fill("李建国")
    form.get_by_label("手机号（不公开）").fill("13905271234")
    form.get_by_label("留言").fill("支持！早市占道好多年了，希望疏导区建好后长期管下去。")
    form.get_by_role("button", name="提交留言").click()
    citizen.wait_for_url(f"**/projects/{project.pk}/")
    notice = citizen.locator("main > [role=status]")
    expect(notice).to_have_text("留言已提交，待审核；审核通过后在本页公开。")
    expect(citizen.get_by_test_id("comment")).to_have_count(0)
    expect(citizen.get_by_text("希望疏导区建好后长期管下去")).to_have_count(0)
    notice.scroll_into_view_if_needed()
    citizen.screenshot(path=SHOTS / "portal-project-comment-pending.png")
    comment = PublicComment.objects.get()
    assert comment.state == CommentState.PENDING

    # the office: the home page's 待审核留言, then 留言审核 from the top bar
    desk = offline(browser.new_page(viewport={"width": 1280, "height": 900}))
    desk.goto(site + "/console/login/")
    desk.fill("input[name=username]", "office")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(site + "/console/")
    expect(desk.get_by_test_id("todo-comments_pending").get_by_test_id("todo-count")) \
        .to_have_text("1")
    desk.locator("#console-nav").get_by_role("link", name="留言审核").click()
    desk.wait_for_url("**/console/comments/")
    expect(desk.locator('#console-nav [aria-current="page"]')).to_have_text("留言审核")
    card = desk.get_by_test_id("comment")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("about")).to_have_text(TITLE)
    expect(card.get_by_test_id("commenter")).to_have_text("李**")
    expect(card.get_by_test_id("comment-text")).to_contain_text("长期管下去")
    expect(desk.get_by_test_id("count-pending")).to_contain_text("1")
    assert not serious(Axe().run(desk))
    desk.screenshot(path=SHOTS / "console-comments.png", full_page=True)
    card.get_by_role("button", name="公开", exact=True).click()
    expect(card.get_by_test_id("action-done")).to_have_text("已公开该留言。")
    expect(card.get_by_test_id("outcome")).to_contain_text("已公开")
    expect(card.get_by_test_id("outcome")).to_contain_text("孙主任")
    expect(desk.get_by_test_id("count-pending")).to_contain_text("0")
    expect(desk.get_by_test_id("count-approved")).to_contain_text("1")
    desk.screenshot(path=SHOTS / "console-comments-approved.png", full_page=True)
    # the same office on a phone: the queue still reads (a moderator away from the desk)
    public_actions.comment(project, "王芳", "13905270000",
                          "疏导区的垃圾能不能收市后马上清运？我电话13905270000。")
    desk.set_viewport_size(PHONE)
    desk.goto(site + "/console/comments/")
    expect(desk.get_by_test_id("comment")).to_have_count(1)
    expect(desk.get_by_test_id("preview")).to_contain_text("139****0000")
    fits(desk)
    desk.screenshot(path=SHOTS / "console-comments-phone.png", full_page=True)
    desk.close()

    # the citizen reloads: the comment is public, the name masked
    citizen.reload()
    shown = citizen.get_by_test_id("comment")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text("李**")
    expect(shown).to_contain_text("希望疏导区建好后长期管下去")
    expect(citizen.locator("main")).not_to_contain_text("13905271234")

    # the project is completed; the public rates it
    actions.complete_milestone(personas.head_a, project.milestones.get(title="疏导区启用"),
                               "疏导区已启用，早市入场经营。")
    actions.complete(personas.head_a, project, "疏导区运行平稳，周边通行恢复正常。")
    citizen.reload()
    expect(citizen.get_by_test_id("state")).to_have_text("已完成")
    expect(citizen.locator("main").get_by_role("progressbar")) \
        .to_have_attribute("aria-valuenow", "100")
    figure = citizen.get_by_test_id("satisfaction")
    expect(figure).to_have_text("暂无评价，欢迎您第一个评价")
    rate = citizen.get_by_test_id("rate")
    levels = rate.get_by_role("radio")
    expect(levels).to_have_count(5)
    assert [levels.nth(n).evaluate("e => e.labels[0].textContent") for n in range(5)] == \
        ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    fits(citizen)
    rate.scroll_into_view_if_needed()
    citizen.screenshot(path=SHOTS / "portal-project-rate.png")

    def rate_it(level: str, phone: str):
        box = citizen.get_by_test_id("rate")
        box.get_by_label(level, exact=True).check()
        box.get_by_label("手机号（每个号码评价一次，不公开）").fill(phone)
        box.get_by_role("button", name="提交评价").click()

    rate_it("满意", "13905271234")
    expect(citizen.locator("main > [role=status]")).to_have_text("感谢您的评价。")
    expect(figure).to_have_text("满意率 100%（1 人评价）")
    rate_it("不满意", "13905270000")
    expect(figure).to_have_text("满意率 50%（2 人评价）")
    # the same phone again, written differently: refused, the figure unchanged
    rate_it("非常不满意", "139 0527 1234")
    phone_error = citizen.get_by_test_id("rate").locator(".invalid-feedback")
    expect(phone_error).to_have_text("这个手机号已经评价过该项目，每个号码只能评价一次。")
    expect(figure).to_have_text("满意率 50%（2 人评价）")
    assert ProjectRating.objects.count() == 2
    fits(citizen)
    phone_error.scroll_into_view_if_needed()
    citizen.screenshot(path=SHOTS / "portal-project-rated-twice.png")
    citizen.goto(site + "/projects/")
    expect(citizen.get_by_test_id("public-project").get_by_test_id("satisfaction")) \
        .to_have_text("满意率 50%（2 人评价）")


def test_the_public_pages_have_no_serious_violation_on_a_phone(browser, site, project, office,
                                                              org):
    promise = commitments.create(office, kind=CommitmentKind.RECTIFICATION, unit=org.unit_a,
                                 title="幸福路早市占道整改", content="划定疏导区，每日巡查两次。",
                                 source=CommitmentSource.SUPERVISION,
                                 source_note="督查室十一月暗访发现早市占道反弹。",
                                 deadline=timezone.localdate() + timedelta(days=20))
    promise = commitments.publish(office, promise)
    service = commitments.create(office, kind=CommitmentKind.SERVICE, unit=org.unit_a,
                                 window="环卫服务热线", title="垃圾清运两小时响应",
                                 content="接报后两小时内清运到位。")
    commitments.publish(office, service)
    for target in (project, promise):
        public_actions.moderate(office, public_actions.comment(
            target, "李先生", "13905271234", "支持，希望说到做到。"), approve=True)
    axe = Axe()
    page = offline(browser.new_page(viewport=PHONE))
    problems = {}
    for path, shot in (("/projects/", None), (f"/projects/{project.pk}/", None),
                       ("/commitments/", "portal-commitment-list.png"),
                       (f"/commitments/{promise.pk}/", "portal-commitment-detail.png")):
        page.goto(site + path)
        expect(page.locator("main")).to_be_visible()
        found = serious(axe.run(page))
        if found:
            problems[path] = found
        fits(page)
        if shot:
            page.screenshot(path=SHOTS / shot, full_page=True)
    page.close()
    assert not problems, problems
