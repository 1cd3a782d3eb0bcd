"""考核 in a real Chromium (issue #13): the office creates November's assessment and
computes it, reads the ranking (a tie: 1, 2, 2, 4) and publishes it; the head of 市容所
opens the unit's breakdown, follows a line to the demands behind it and objects to it;
the Party committee accepts with a bonus; recomputed, 市容所 is first. Screenshots land
in test-results/screenshots/ (assessment-*.png; copies in docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from assessment import jobs
from org.models import Role

from .assessment_helpers import build_demands, build_scheme, build_units, head_of, office_user
from .conftest import PASSWORD, make_staff
from .test_accessibility import serious

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(browser, transactional_db, live_server, org, personas, monkeypatch):
    shirong, yuanlin = build_units(org)
    build_demands(org, personas, shirong)
    office = office_user(org)
    build_scheme(office, [org.unit_a, org.unit_b, shirong, yuanlin])
    head_of(shirong, "head_shirong", "梁所长")
    make_staff("party", "陈书记", org.bureau, (Role.PARTY, None))
    # the worker's task, run where the button queues it (no worker in the test)
    from assessment.tasks import compute_assessment

    monkeypatch.setattr(jobs, "enqueue", lambda pk, actor: compute_assessment(pk, actor))
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def sign_in(browser, site, username):
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")
    page.errors = errors
    return page


def ranks(page) -> list[tuple[str, str, str]]:
    rows = page.get_by_test_id("rank-row")
    return [(rows.nth(n).get_by_test_id("rank").inner_text().strip(),
             rows.nth(n).get_by_test_id("unit").inner_text().strip(),
             rows.nth(n).get_by_test_id("total").inner_text().strip())
            for n in range(rows.count())]


def test_the_office_ranks_a_unit_objects_and_the_ranking_changes(browser, site):
    office = sign_in(browser, site, "office")
    office.get_by_role("button", name="督查考核").click()
    office.get_by_role("link", name="考核结果").click()
    office.get_by_test_id("assessment-create").click()
    office.get_by_label("起始日期").fill("2026-11-01")
    office.get_by_label("截止日期").fill("2026-11-30")
    office.get_by_test_id("save").click()
    expect(office.get_by_test_id("state")).to_have_text("草稿")
    office.get_by_test_id("act-compute").click()
    expect(office.get_by_test_id("computed-at")).to_be_visible()
    assert ranks(office) == [("1", "市政设施管理处", "80.00"), ("2", "环境卫生管理处", "75.00"),
                             ("2", "市容所", "75.00"), ("4", "园林处", "33.33")]
    # the not-assessed cell says so, and its explanation is on hover
    yuanlin = office.get_by_test_id("rank-row").filter(has_text="园林处")
    expect(yuanlin.get_by_text("不参评")).to_have_attribute(
        "title", "本期没有参评（已评价）的诉求，综合满意率不参评；其 40 分按比例分摊到其他参评指标")
    office.screenshot(path=SHOTS / "assessment-ranking.png", full_page=True)
    assert serious(Axe().run(office)) == []
    office.get_by_test_id("act-publish").click()
    expect(office.get_by_test_id("state")).to_have_text("已公布")

    head = sign_in(browser, site, "head_shirong")
    head.get_by_role("button", name="督查考核").click()
    head.get_by_role("link", name="考核结果").click()
    head.get_by_test_id("my-score").click()
    expect(head.get_by_test_id("score-rank")).to_have_text("第 2 名 / 共 4 个单位")
    lines = head.get_by_test_id("line")
    expect(lines).to_have_count(3)
    on_time = lines.filter(has_text="按时办结率 95.0%")
    expect(on_time.get_by_test_id("explanation")).to_have_text(
        "按时办结率 95.0%（19/20），目标 100%、底线 80%，得 30 / 40 分")
    head.screenshot(path=SHOTS / "assessment-breakdown.png", full_page=True)
    assert serious(Axe().run(head)) == []
    # the records behind the line: the twenty demands it counted
    with head.expect_navigation():
        on_time.get_by_test_id("records-link").click()
    expect(head.get_by_test_id("records-caption")).to_be_visible()
    expect(head.get_by_test_id("demand-row")).to_have_count(20)
    head.go_back()
    on_time = head.get_by_test_id("line").filter(has_text="按时办结率 95.0%")
    on_time.get_by_test_id("object-toggle").click()
    on_time.get_by_label("申诉理由").fill("11月7日一件超期系12345平台转派延迟所致，附平台说明。")
    on_time.get_by_test_id("object").click()
    expect(head.get_by_text("已提交申诉，请等待办公室处理。")).to_be_visible()
    expect(head.get_by_test_id("objection-state")).to_have_text("待处理")

    party = sign_in(browser, site, "party")
    party.get_by_role("button", name="督查考核").click()
    party.get_by_role("link", name="考核申诉").click()
    assert serious(Axe().run(party)) == []
    card = party.get_by_test_id("objection").filter(has_text="市容所")
    accept = card.locator("form[data-action=accept]")
    accept.get_by_label("处理意见").fill("经核实属平台故障")
    accept.get_by_label("同时加减分").fill("7.5")
    accept.get_by_test_id("objection-accept").click()
    expect(party.get_by_text("申诉已采纳；重新计算后排名随之更新。")).to_be_visible()

    office.reload()
    expect(office.get_by_test_id("stale")).to_be_visible()
    office.get_by_test_id("act-compute").click()
    expect(office.get_by_test_id("computed-at")).to_be_visible()
    assert ranks(office)[:2] == [("1", "市容所", "82.50"), ("2", "市政设施管理处", "80.00")]
    office.screenshot(path=SHOTS / "assessment-ranking-after.png", full_page=True)
    # the scheme's form: its indicators as rows, the registry's definitions below
    office.goto(site + "/console/assessment/schemes/")
    office.get_by_test_id("scheme-edit").click()
    expect(office.get_by_test_id("indicator-row")).to_have_count(5)  # 3 and 2 blank
    assert office.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    office.screenshot(path=SHOTS / "assessment-scheme.png", full_page=True)
    assert serious(Axe().run(office)) == []
    for page in (office, head, party):
        assert page.errors == []
