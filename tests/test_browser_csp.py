"""Every console and portal page under the Content-Security-Policy, in a real Chromium
(issue #9, item 8): no CSP violation and no console error or warning while each page loads,
draws its charts and maps and runs its htmx actions. The policy and the Permissions-Policy
are in sanmanyi/settings.py."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, resolve, reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities import actions as activities
from appointments.models import Slot
from assessment.models import Assessment, Scheme
from bulletins import actions as bulletins
from bulletins import generation
from campaigns import actions as campaigns
from campaigns.models import Campaign
from catalog import notices
from catalog.models import ServiceItem
from demands.models import Demand, State
from enterprises import actions as pairing
from enterprises.models import Enterprise
from imports import runner
from imports.models import Job
from org.demo import DEMO_PASSWORD
from org.models import Unit
from places.models import Place
from projects import actions as projects
from projects import commitments
from projects.models import Commitment, CommitmentKind, Project, ProjectState
from supervision.models import SupervisionOrder

from .import_helpers import row, write_csv
from .test_photos import jpeg_with_gps

pytestmark = pytest.mark.browser
UNIT = "huanwei"  # a unit of the demo city

# Records every violation the page sees, from before its first script runs; printing is
# recorded instead of opening the dialog.
RECORDER = """
window.__cspViolations = [];
window.__printed = 0;
window.print = () => { window.__printed += 1; };
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} (${event.sample})`);
});
"""

# Named URLs that are not pages a person opens, and why.
NOT_PAGES = {
    "console:logout": "POST only",
    "console:demand_export": "an .xlsx download",
    "console:demand_act": "the POST of an action (run below through htmx)",
    "console:duplicate_decide": "the POST of a duplicate decision",
    "console:project_draft_create": "the POST from the hotspot page",
    "console:project_export": "an .xlsx download",
    "console:project_act": "the POST of a project's action (run below through htmx)",
    "console:project_link": "the POST of the demand queue's bulk action",
    "console:milestone_add": "the POST of a new milestone (run below through htmx)",
    "console:milestone_edit": "the POST of a milestone's change",
    "console:milestone_complete": "the POST of a milestone's completion",
    "console:commitment_act": "the POST of a commitment's action",
    "console:comment_moderate": "the POST of a comment's moderation (run below through htmx)",
    "console:import_progress": "the htmx fragment the import page polls (loaded below)",
    "console:import_errors": "an .xlsx download",
    "console:import_resume": "POST only",
    "console:away_end": "POST only",
    "console:place_merge": "the POST of a merge",
    "portal:project_feed": "an Atom feed (read back in tests/test_portal_projects.py)",
    "portal:open_data": "CSV and JSON downloads (read back in tests/test_portal_projects.py)",
    "console:place_grow": "POST only",
    "console:place_rescan": "POST only",
    "console:calendar_ics": "an iCalendar feed (read back in tests/test_campaign_calendar.py)",
    "console:activity_delete": "the POST of a record's deletion",
    "console:activity_file": "an attachment's download (read back in tests/test_activities.py)",
    "console:targets_export": "an .xlsx download (read back in tests/test_targets.py)",
    "console:target_delete": "the POST of a target's deletion",
    "console:campaign_group": "the POST of a leading-group change",
    "console:campaign_document": "a campaign document's download (tests/test_campaign_console.py)",
    "console:filing_remind": "the POST of a reminder (run in tests/test_browser_campaign.py)",
    "console:filing_attachment": "a filed attachment's download "
                                 "(tests/test_campaign_console.py)",
    "console:goal_reopen": "the POST of a pairing goal's reopening",
    "console:order_act": "the POST of a supervision order's action (run below through htmx)",
    "console:order_file": "an answer's attachment (read back in tests/test_supervision.py)",
    "console:assessment_act": "the POST of an assessment's action (compute, publish, finalise)",
    "console:assessment_export": "an .xlsx download "
                                 "(read back in tests/test_assessment_console.py)",
    "console:assessment_progress": "the htmx fragment the assessment page polls while computing "
                                   "(tests/test_assessment_console.py)",
    "console:objection_create": "the POST of a unit's objection (tests/test_browser_assessment.py)",
    "console:objection_act": "the POST of an objection's decision",
    "console:objection_file": "an objection's evidence download (tests/test_assessment_console.py)",
    "console:adjustment_file": "an adjustment's evidence download "
                               "(tests/test_assessment_console.py)",
    "console:bulletin_file": "a bulletin's .docx download (read back in tests/test_bulletins.py)",
    "console:bulletin_upload": "the POST of an edited copy",
    "console:bulletin_act": "the POST of a bulletin's action",
    "console:bulletin_template_use": "the POST that activates a template",
    "console:bulletin_template_file": "a template's .docx download",
    "console:bulletin_template_default": "the default template's .docx download "
                                         "(tests/test_bulletins.py)",
    "portal:bulletin_download": "an issued bulletin's .docx download "
                                "(tests/test_bulletins.py)",
    "console:command_data": "the JSON the command dashboard fetches (tests/test_command.py; "
                            "fetched below as the wall fetches it)",
}


class Watch:
    """A page that records CSP violations and console errors and warnings."""

    def __init__(self, browser, base):
        self.base = base
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.add_init_script(RECORDER)
        self.console = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.expected_error: str | None = None  # a page asked for with its error status
        self.seen: list[str] = []
        self.problems: dict[str, list[str]] = {}

    def _console(self, message):
        if message.type not in ("error", "warning"):
            return
        if message.location.get("url") == self.expected_error and \
                message.text.startswith("Failed to load resource"):
            return  # the page itself, loaded for its 404
        self.console.append(f"{message.type}: {message.text}")

    def check(self, label: str) -> None:
        """Record what went wrong on the page as it stands."""
        violations = self.page.evaluate("window.__cspViolations || []")
        found = violations + self.console
        self.console = []
        if found:
            self.problems[label] = found

    def visit(self, path: str, status: int = 200) -> None:
        self.expected_error = self.base + path if status != 200 else None
        response = self.page.goto(self.base + path)
        assert response.status == status, f"{path}: HTTP {response.status}"
        self.page.wait_for_load_state("load")
        self.seen.append(path.split("?")[0])
        self.check(path)


@pytest.fixture
def site(browser, transactional_db, live_server):
    call_command("load_demo", verbosity=0)
    return live_server.url


def sign_in(watch: Watch, username: str) -> None:
    watch.visit(reverse("console:login"))
    watch.page.fill("input[name=username]", username)
    watch.page.fill("input[name=password]", DEMO_PASSWORD)
    watch.page.click("button[type=submit]")
    watch.page.wait_for_url(watch.base + reverse("console:home"))
    watch.check("sign-in")


def named(urlconf_module, namespace: str) -> set[str]:
    return {f"{namespace}:{p.name}" for p in urlconf_module.urlpatterns
            if isinstance(p, URLPattern) and p.name}


def test_a_watch_sees_a_violation_when_there_is_one(browser, site):
    probe = Watch(browser, site)
    probe.visit(reverse("portal:home"))
    probe.page.evaluate("""() => { const script = document.createElement("script");
        script.textContent = "window.__ran = true;"; document.head.append(script); }""")
    probe.page.wait_for_function("window.__cspViolations.length > 0")
    assert probe.page.evaluate("window.__ran") is None  # the inline script was refused
    probe.check("probe")
    assert any(problem.startswith("script-src") for problem in probe.problems["probe"])
    probe.page.close()


def walk_the_portal(watch: Watch, service: ServiceItem) -> None:
    slot = Slot.objects.filter(starts_at__gt=timezone.now()).first()
    for path in [reverse("portal:home"), reverse("portal:submit"), reverse("portal:track"),
                 reverse("portal:evaluate_by_phone"), reverse("portal:demands"),
                 reverse("portal:board"), reverse("portal:board_unit", args=[UNIT]),
                 reverse("portal:services"), reverse("portal:appointments"),
                 reverse("portal:book", args=[slot.pk]), reverse("portal:cancel_booking"),
                 reverse("portal:projects"), reverse("portal:commitments"),
                 reverse("portal:statistics"), reverse("portal:bulletins"),
                 reverse("portal:project", args=[
                     Project.objects.filter(state=ProjectState.DONE).get().pk]),
                 reverse("portal:commitment", args=[
                     Commitment.objects.filter(state="open").first().pk])]:
        watch.visit(path)
    watch.visit(reverse("portal:evaluate", args=["not-a-real-token"]), status=404)
    page = watch.page
    # the print button of a service guide (a data- attribute, no onclick=…)
    watch.visit(reverse("portal:service", args=[service.code]))
    page.get_by_role("button", name="打印告知单").click()
    assert page.evaluate("window.__printed") == 1
    watch.check("print a service guide")
    # the submit page's map takes a click, and the form goes through
    watch.visit(reverse("portal:submit"))
    page.locator("#pick-map").click()
    page.get_by_label("问题类别").select_option("baolu-laji")
    page.get_by_label("一句话说明问题").fill("幸福路口垃圾桶满溢")
    page.get_by_label("详细描述").fill("幸福路与人民大道路口的垃圾桶已经满了两天。")
    page.get_by_label("地点").fill("幸福路与人民大道路口")
    page.get_by_label("您的称呼").fill("王女士")
    page.get_by_label("联系电话").fill("13905271234")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**/submit/done/**")
    watch.seen.append(reverse("portal:submitted"))
    watch.check("portal submit")


def walk_the_console(watch: Watch, service: ServiceItem, tmp_path) -> None:
    user = get_user_model().objects.get(username="admin")
    issue = notices.issue(user, service, "王女士", "13905271234")
    unit = Unit.objects.get(code=UNIT)
    project = projects.create(user, title="幸福路环境整治", plan="分段整治。",
                              measures="错时保洁。", responsible_unit=unit,
                              deadline=timezone.localdate() + dt.timedelta(days=60),
                              demand_ids=Demand.objects.values_list("pk", flat=True)[:3])
    promise = commitments.create(user, kind=CommitmentKind.SERVICE, unit=unit,
                                 title="垃圾清运两小时响应", content="接报后两小时内清运。")
    campaign = Campaign.objects.order_by("starts_on").first()
    visit = activities.record("visit", {"occurred_on": campaign.starts_on, "visited": "幸福社区",
                                        "summary": "走访座谈。"}, [user],
                              [SimpleUploadedFile("现场.jpg", jpeg_with_gps(640, 480))],
                              by=user)
    phase = campaign.phases.order_by("order").first()
    campaign.participants.add(unit)
    plan = campaigns.save_requirement(phase, {"kind": "plan", "title": "实施方案",
                                              "due_on": phase.ends_on}, by=user)
    campaigns.file(plan, unit, phase.ends_on, {
        "goals": "满意率95%", "standards": "三亮三创", "schedule": "按月推进",
        "measures": "错时服务", "lead": "王处长"}, by=user)
    period = f"{phase.ends_on:%Y-%m-%d}"
    goal = activities.save_target(campaign, {"label": "每位党组成员下基层不少于6次",
                                             "kind": "visit", "count": 6, "subject": "role",
                                             "role": "leader"}, by=user)
    firm = Enterprise.objects.order_by("name").first()
    # next year: the demo has paired this year's units already
    paired = pairing.save_pairing(firm, unit, timezone.localdate().year + 1, [user],
                                  "每季度走访一次。", user)
    aim = pairing.add_goal(paired, "协调解决厂区道路照明", None, user)
    sent = pairing.save_secondment({"cadre": user.pk, "enterprise": firm,
                                    "starts_on": timezone.localdate()}, user)
    for path in [reverse("console:home"), reverse("console:org_tree"),
                 reverse("console:unit_detail", args=[UNIT]), reverse("console:demand_list"),
                 reverse("console:demand_list") + "?queue=overdue",
                 reverse("console:demand_register"), reverse("console:search") + "?q=垃圾",
                 reverse("console:routing"), reverse("console:hotspots"),
                 reverse("console:places"), reverse("console:place_add"),
                 reverse("console:place_edit", args=[Place.objects.first().pk]),
                 reverse("console:project_drafts"), reverse("console:project_draft", args=[1]),
                 reverse("console:project_list"), reverse("console:project_create"),
                 reverse("console:project_edit", args=[project.pk]),
                 reverse("console:commitment_list"), reverse("console:commitment_create"),
                 reverse("console:commitment", args=[promise.pk]),
                 reverse("console:duplicates"), reverse("console:imports"),
                 reverse("console:inbox"), reverse("console:away"), reverse("console:notices"),
                 reverse("console:bookings"), reverse("console:campaign_calendar"),
                 reverse("console:activities"), reverse("console:activity_create"),
                 reverse("console:activity_create") + "?kind=volunteer",
                 reverse("console:activity", args=[visit.pk]),
                 reverse("console:activity_edit", args=[visit.pk]),
                 reverse("console:targets"), reverse("console:targets") + "?behind=1",
                 reverse("console:target_create"),
                 reverse("console:target_edit", args=[goal.pk]),
                 reverse("console:campaigns"), reverse("console:campaign_create"),
                 reverse("console:campaign", args=[campaign.code]),
                 reverse("console:campaign_edit", args=[campaign.code]),
                 reverse("console:campaign_copy", args=[campaign.code]),
                 reverse("console:phase_create", args=[campaign.code]),
                 reverse("console:phase_edit", args=[campaign.code, phase.pk]),
                 reverse("console:requirement_create", args=[campaign.code, phase.pk]),
                 reverse("console:requirement_edit", args=[campaign.code, phase.pk, plan.pk]),
                 reverse("console:filings_home"),
                 reverse("console:filing_board", args=[phase.pk]),
                 reverse("console:filing", args=[plan.pk, UNIT, period]),
                 reverse("console:filing_history", args=[plan.pk, UNIT, period]),
                 "/admin/", "/admin/catalog/category/", "/admin/catalog/category/add/",
                 reverse("console:enterprises"), reverse("console:enterprise", args=[firm.pk]),
                 reverse("console:pairing_create", args=[firm.pk]),
                 reverse("console:pairing_edit", args=[paired.pk]),
                 reverse("console:goal_add", args=[paired.pk]),
                 reverse("console:goal_complete", args=[aim.pk]),
                 reverse("console:secondment_create", args=[firm.pk]),
                 reverse("console:secondment_edit", args=[sent.pk]),
                 "/admin/", "/admin/enterprises/pairing/",
                 f"/admin/enterprises/pairing/{paired.pk}/change/",
                 "/admin/catalog/category/", "/admin/catalog/category/add/",
                 reverse("console:orders"), reverse("console:orders") + "?overdue=on",
                 reverse("console:order_issue"),
                 reverse("console:order_issue") + f"?demand={Demand.objects.first().number}",
                 "/admin/supervision/supervisionorder/",
                 "/api/v1/docs"]:
        watch.visit(path)
    # assessment (issue #13): the demo's published assessment, its ranking, a unit's lines
    assessment = Assessment.objects.get()
    first = assessment.scores.filter(rank=1).first()
    for path in [reverse("console:assessments"), reverse("console:assessment_create"),
                 reverse("console:assessment_schemes"),
                 reverse("console:assessment_scheme_create"),
                 reverse("console:assessment_scheme_edit", args=[Scheme.objects.get().pk]),
                 reverse("console:assessment", args=[assessment.pk]),
                 reverse("console:assessment_adjustments", args=[assessment.pk]),
                 reverse("console:assessment_score", args=[assessment.pk, first.unit_id]),
                 reverse("console:objections")]:
        watch.visit(path)
    page = watch.page
    watch.visit(reverse("console:notice_detail", args=[issue.number]))
    page.get_by_role("button", name="打印", exact=True).click()
    assert page.evaluate("window.__printed") == 1
    watch.check("print a notice")
    # a project: a milestone and an update with a photo through htmx, then the print view
    watch.visit(reverse("console:project", args=[project.pk]))
    form = page.get_by_test_id("milestone-add")
    form.get_by_label("节点名称").fill("划定疏导区")
    form.get_by_label("计划完成日期").fill(f"{timezone.localdate() + dt.timedelta(days=30)}")
    form.get_by_role("button", name="增加里程碑").click()
    expect(page.get_by_test_id("milestone")).to_have_count(1)
    watch.check("htmx milestone")
    projects.office_approve(user, project)
    projects.leader_approve(user, project)
    watch.visit(reverse("console:project", args=[project.pk]))
    panel = page.locator("form[data-action=post_update]")
    panel.get_by_label("进展内容").fill("疏导区已放样。")
    panel.locator("input[type=file]").set_input_files({
        "name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(640, 480)})
    panel.get_by_role("button", name="发布进展").click()
    expect(page.get_by_test_id("thumb")).to_have_count(1)
    watch.check("htmx update with a photo")
    watch.visit(reverse("console:project_print"))
    page.get_by_role("button", name="打印", exact=True).click()
    assert page.evaluate("window.__printed") == 1
    watch.check("print the projects")
    # 留言审核: a comment of the demo city made public through htmx, the counts swapped too
    watch.visit(reverse("console:comments"))
    card = page.get_by_test_id("comment").first
    card.get_by_role("button", name="公开", exact=True).click()
    expect(page.get_by_test_id("action-done")).to_have_text("已公开该留言。")
    watch.check("htmx moderation")
    # 督查督办单: every demo order's page; the issue form's subject switch (a script);
    # an answer through htmx (multipart), the panel swapped in place
    for order in SupervisionOrder.objects.order_by("pk"):
        watch.visit(reverse("console:order", args=[order.number]))
    watch.visit(reverse("console:order_issue"))
    page.get_by_role("radio", name="检查发现").check()
    expect(page.get_by_label("检查发现的问题")).to_be_visible()
    watch.check("issue form subject switch")
    waiting = SupervisionOrder.objects.filter(state="issued").first()
    watch.visit(reverse("console:order", args=[waiting.number]))
    panel = page.locator("form[data-action=answer]")
    panel.get_by_label("反馈内容").fill("已核查处理。")
    panel.locator("input[name=photos]").set_input_files({
        "name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(640, 480)})
    panel.get_by_role("button", name="反馈").click()
    expect(page.get_by_test_id("state")).to_have_text("已反馈")
    watch.check("htmx order answer")
    # ECharts' tooltips write style attributes: hover a chart of the dashboard
    watch.visit(reverse("console:dashboard"))
    page.locator("#group-chart").hover()
    watch.check("dashboard tooltip")
    watch.visit(reverse("console:enterprise", args=[firm.pk]))
    page.locator("#satisfaction-chart").hover()
    watch.check("enterprise satisfaction tooltip")
    # 指挥大屏: the charts, the map, the clock; on the wall, its own fetch of new figures
    watch.visit(reverse("console:command"))
    page.locator("#trend-chart").hover()
    watch.check("command tooltip")
    watch.visit(reverse("console:command") + "?wall=1")
    page.evaluate("""() => fetch(document.getElementById("command").dataset.url)
                      .then((response) => response.json())""")
    watch.check("command wall")
    # a demand in each state, with the action forms a superuser is offered
    for state in State.values:
        demand = Demand.objects.filter(state=state).first()
        if demand is not None:
            watch.visit(reverse("console:demand_detail", args=[demand.number]))
    # an action through htmx: 受理 the citizen's demand, the panel swaps in place
    fresh = Demand.objects.filter(state=State.SUBMITTED).first()
    watch.visit(reverse("console:demand_detail", args=[fresh.number]))
    page.locator("form[data-action=receive] button[type=submit]").click()
    expect(page.get_by_text("已受理。")).to_be_visible()
    watch.check("htmx action")
    # an import: upload, preview, start; the progress bar polls through htmx
    path = write_csv(tmp_path / "12345.csv", [row(n, 问题类别="暴露垃圾") for n in (1, 2)])
    watch.visit(reverse("console:imports"))
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("preview")).to_be_visible()
    page.get_by_role("button", name="开始导入").click()
    runner.run(Job.objects.get().pk)
    expect(page.get_by_test_id("progress-text")).to_contain_text("已完成", timeout=10_000)
    watch.seen.append(reverse("console:import_detail", args=[Job.objects.get().pk]))
    watch.check("import")
    # a bulletin: the worker's part run here; the progress bar polls through htmx and the
    # page reloads itself when the file is ready
    with mock.patch("bulletins.actions.enqueue"):
        bulletin = bulletins.create(user, "monthly")
    for path in [reverse("console:bulletins"), reverse("console:bulletin_create"),
                 reverse("console:bulletin_create") + "?kind=phase",
                 reverse("console:bulletin_templates")]:
        watch.visit(path)
    watch.visit(reverse("console:bulletin", args=[bulletin.pk]))
    expect(page.get_by_test_id("progress-text")).to_have_text("排队中")
    generation.run(bulletin.pk)
    expect(page.get_by_test_id("download")).to_be_visible(timeout=10_000)
    watch.seen.append(reverse("console:bulletin_progress", args=[bulletin.pk]))
    watch.check("bulletin progress")


def test_every_page_loads_under_the_csp_without_a_violation(browser, site, tmp_path):
    from console import urls as console_urls
    from portal import urls as portal_urls

    watch = Watch(browser, site)
    service = ServiceItem.objects.filter(is_active=True).first()
    walk_the_portal(watch, service)
    sign_in(watch, "admin")  # 系统管理员, a superuser: every page and every action form
    walk_the_console(watch, service, tmp_path)

    assert not watch.problems, watch.problems
    visited = {resolve(path).view_name for path in watch.seen
               if not path.startswith(("/admin", "/api"))}
    pages = (named(console_urls, "console") | named(portal_urls, "portal")) - set(NOT_PAGES)
    assert pages - visited == set(), "pages this test does not load"
