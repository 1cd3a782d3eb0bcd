"""The console's practical projects and commitments (issue #11): who sees and edits what
(404, never 403, for another unit's objects), the catalogue's actions through the forms
(photos included), bad input as form errors, the queue's bulk action, the demand page's
links, the home page's to-do, bounded queries on the lists, the Excel export read back and
the print view."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demands.actions import replies
from org.models import Role
from projects import actions, commitments, sweep
from projects.models import (
    Commitment,
    CommitmentKind,
    CommitmentSource,
    CommitmentState,
    MilestoneState,
    ProgressUpdate,
    Project,
    ProjectPhoto,
    ProjectState,
)

from .conftest import make_staff
from .demand_helpers import at, registered, replied
from .test_photos import jpeg_with_gps

pytestmark = pytest.mark.django_db
NOW = at("2026-12-01 10:00")
S = ProjectState
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office(org):
    return make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))


def make_project(office, org, demands=(), unit=None, title="幸福路菜市场周边占道经营整治"):
    project = actions.create(
        office, title=title, background="群众反映早市占道。", plan="十二月底前完成疏导区建设。",
        measures="划定疏导区，错时管理。", responsible_unit=unit or org.unit_a,
        deadline="2026-12-31", demand_ids=[d.pk for d in demands])
    actions.add_milestone(office, project, "划定疏导区", "2026-12-10")
    actions.add_milestone(office, project, "疏导区启用", "2026-12-25")
    return project


@pytest.fixture
def project(personas, org, categories, office):
    demands = [registered(personas, categories.stall, title=f"幸福路菜场占道{n}",
                          requester_phone=f"1390527{n:04d}") for n in range(3)]
    return make_project(office, org, demands)


@pytest.fixture
def other(office, org):
    """Unit B's project."""
    return make_project(office, org, unit=org.unit_b, title="人民路路灯修复")


def published(project, office, personas):
    actions.office_approve(office, project, "同意")
    return actions.leader_approve(personas.leader, project, "抓紧实施")


def photo(name="现场.jpg", data=None):
    return SimpleUploadedFile(name, data or jpeg_with_gps(800, 600), content_type="image/jpeg")


# --- who sees what --------------------------------------------------------------------
def object_urls(project, commitment=None):
    milestone = project.milestones.first()
    urls = [reverse("console:project", args=[project.pk]),
            reverse("console:project_edit", args=[project.pk])]
    posts = [reverse("console:project_act", args=[project.pk, "post_update"]),
             reverse("console:milestone_add", args=[project.pk]),
             reverse("console:milestone_edit", args=[project.pk, milestone.pk]),
             reverse("console:milestone_complete", args=[project.pk, milestone.pk])]
    if commitment is not None:
        urls.append(reverse("console:commitment", args=[commitment.pk]))
        posts.append(reverse("console:commitment_act", args=[commitment.pk, "fulfil"]))
    return urls, posts


@pytest.fixture
def promise(personas, org, office):
    return commitments.create(personas.head_a, kind=CommitmentKind.SERVICE, unit=org.unit_a,
                              title="垃圾清运两小时响应", content="接报后两小时内清运。")


def test_anonymous_is_sent_to_sign_in(client, project, promise):
    urls, posts = object_urls(project, promise)
    for url in [reverse("console:project_list"), reverse("console:project_create"),
                reverse("console:project_export"), reverse("console:project_print"),
                reverse("console:commitment_list"), reverse("console:commitment_create"),
                *urls]:
        response = client.get(url)
        assert response.status_code == 302 and "/console/login/" in response["Location"], url
    for url in [*posts, reverse("console:project_link")]:
        response = client.post(url, {})
        assert response.status_code == 302 and "/console/login/" in response["Location"], url
    assert not ProgressUpdate.objects.exists()


def test_another_units_handler_gets_404_for_every_object(client, personas, project, promise):
    client.force_login(personas.handler_b)
    urls, posts = object_urls(project, promise)
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"text": "代发", "new-title": "x", "new-due": "2026-12-20",
                                 "evidence": "x"}).status_code == 404, url
    assert project.milestones.count() == 2 and not ProgressUpdate.objects.exists()
    listing = client.get(reverse("console:project_list")).content.decode()
    assert project.title not in listing
    assert promise.title not in client.get(reverse("console:commitment_list")).content.decode()


def test_a_unit_sees_and_edits_its_own_projects_only(client, personas, project, other):
    client.force_login(personas.handler_a)
    listing = client.get(reverse("console:project_list"))
    titles = [p.title for p in listing.context["page"]]
    assert titles == [project.title]
    assert client.get(reverse("console:project", args=[other.pk])).status_code == 404
    response = client.post(reverse("console:project_edit", args=[project.pk]), {
        "title": "幸福路菜市场整治", "plan": "新计划", "measures": "新举措",
        "responsible_unit": "huanwei", "deadline": "2026-12-31"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.plan) == ("幸福路菜市场整治", "新计划")


def test_the_office_sees_all_and_a_project_without_a_unit_is_bureau_wide_only(
        client, personas, office, project, other):
    loose = actions.create(office, title="城区公厕提升")  # no responsible unit yet
    client.force_login(office)
    titles = {p.title for p in client.get(reverse("console:project_list")).context["page"]}
    assert titles == {project.title, other.title, loose.title}
    assert client.get(reverse("console:project", args=[loose.pk])).status_code == 200
    client.force_login(personas.head_a)
    assert client.get(reverse("console:project", args=[loose.pk])).status_code == 404
    client.force_login(personas.supervisor)  # sees the whole bureau, edits nothing
    assert client.get(reverse("console:project", args=[loose.pk])).status_code == 200
    assert client.get(reverse("console:project_edit", args=[project.pk])).status_code == 403


def test_filters_and_counts(client, office, personas, project, other):
    published(other, office, personas)
    client.force_login(office)
    response = client.get(reverse("console:project_list"), {"state": "published"})
    assert [p.title for p in response.context["page"]] == [other.title]
    counts = {value: n for value, _label, n in response.context["state_counts"]}
    assert counts["draft"] == 1 and counts["published"] == 1
    response = client.get(reverse("console:project_list"), {"unit": "shizheng"})
    assert [p.title for p in response.context["page"]] == [other.title]
    with time_machine.travel(at("2026-12-11 08:00"), tick=False):
        sweep.sweep()
        client.force_login(office)  # ten days on: a new session
        response = client.get(reverse("console:project_list"), {"overdue": "on"})
    assert [p.title for p in response.context["page"]] == [other.title]  # a late milestone
    assert 'data-testid="late-milestone"' in response.content.decode()


# --- the catalogue's actions through the console ----------------------------------------
def test_approval_and_progress_through_the_panels(client, office, personas, project):
    client.force_login(office)
    page = client.get(reverse("console:project", args=[project.pk])).content.decode()
    assert 'data-action="office_approve"' in page and 'data-action="leader_approve"' not in page
    response = client.post(reverse("console:project_act", args=[project.pk, "office_approve"]),
                           {"note": "同意"}, **HX)
    assert response.status_code == 200 and "已办公室审核。" in response.content.decode()
    client.force_login(personas.leader)
    client.post(reverse("console:project_act", args=[project.pk, "leader_approve"]),
                {"note": "抓紧实施"})
    project.refresh_from_db()
    assert project.state == S.PUBLISHED and project.lead_leader == personas.leader

    client.force_login(personas.handler_a)
    response = client.post(reverse("console:project_act", args=[project.pk, "post_update"]), {
        "text": "疏导区已放样。", "photo_files": [photo(), photo("第二张.jpg")]}, **HX)
    page = response.content.decode()
    assert response.status_code == 200 and "已发布进展。" in page
    update = ProgressUpdate.objects.get()
    assert update.photos.count() == 2
    assert page.count('data-testid="thumb"') == 2 and update.photos.first().thumb.url in page
    project.refresh_from_db()
    assert project.state == S.IN_PROGRESS  # the first update starts it


def test_a_bad_photo_is_refused_in_chinese_and_nothing_is_saved(client, office, personas,
                                                                 project):
    published(project, office, personas)
    client.force_login(personas.handler_a)
    fake = SimpleUploadedFile("现场.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = client.post(reverse("console:project_act", args=[project.pk, "post_update"]),
                           {"text": "疏导区已放样。", "photo_files": [photo(), fake]})
    assert response.status_code == 400
    errors = [str(e) for e in response.context["panels"][1]["form"].errors["photo_files"]]
    assert errors and "现场.jpg" in errors[0]
    assert 'data-testid="field-error"' in response.content.decode()
    assert not ProgressUpdate.objects.exists() and not ProjectPhoto.objects.exists()
    project.refresh_from_db()
    assert project.state == S.PUBLISHED


def test_a_milestone_is_added_edited_and_completed_with_evidence_and_a_photo(
        client, office, personas, project):
    published(project, office, personas)
    client.force_login(personas.head_a)
    url = reverse("console:milestone_add", args=[project.pk])
    response = client.post(url, {"new-title": "验收", "new-due": "2026-12-30"}, **HX)
    assert "已增加里程碑“验收”。" in response.content.decode()
    milestone = project.milestones.get(title="验收")
    assert milestone.owner_unit == project.responsible_unit
    client.post(reverse("console:milestone_edit", args=[project.pk, milestone.pk]),
                {f"m{milestone.pk}-title": "竣工验收", f"m{milestone.pk}-due": "2026-12-29",
                 f"m{milestone.pk}-owner_unit": "huanwei-team"})
    milestone.refresh_from_db()
    assert (milestone.title, str(milestone.due), milestone.owner_unit.code) == \
        ("竣工验收", "2026-12-29", "huanwei-team")
    response = client.post(
        reverse("console:milestone_complete", args=[project.pk, milestone.pk]),
        {f"c{milestone.pk}-evidence": "已组织验收。", f"c{milestone.pk}-photo_files": photo()},
        **HX)
    assert "里程碑“竣工验收”已完成。" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.state == MilestoneState.DONE and milestone.photos.count() == 1
    assert 'data-testid="milestone-done"' in response.content.decode()


@pytest.mark.parametrize("due, message", [
    ("2027-01-05", "里程碑不能晚于项目完成时限（2026-12-31）。"),
    ("12月5日", "计划完成日期格式不正确"),
    ("", "请填写计划完成日期。"),
])
def test_a_bad_milestone_is_a_form_error(client, office, project, due, message):
    client.force_login(office)
    response = client.post(reverse("console:milestone_add", args=[project.pk]),
                           {"new-title": "验收", "new-due": due})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert project.milestones.count() == 2


def test_bad_project_input_is_a_form_error_and_nothing_is_created(client, office, project):
    client.force_login(office)
    response = client.post(reverse("console:project_create"), {
        "title": "公厕提升", "deadline": "2026-11-01"})
    assert response.status_code == 400
    assert "完成时限不能早于今天。" in response.content.decode()
    response = client.post(reverse("console:project_create"), {
        "title": "公厕提升", "budget": "-5"})
    assert "预算不能小于 0。" in response.content.decode()
    assert Project.objects.count() == 1
    # a deadline before a milestone's date
    response = client.post(reverse("console:project_edit", args=[project.pk]), {
        "title": project.title, "deadline": "2026-12-20", "responsible_unit": "huanwei"})
    assert response.status_code == 400
    assert "完成时限不能早于里程碑“疏导区启用”的计划日期（2026-12-25）。" in \
        response.content.decode()
    project.refresh_from_db()
    assert str(project.deadline) == "2026-12-31"


def test_a_delay_needs_a_later_deadline(client, office, personas, project):
    published(project, office, personas)
    client.force_login(personas.head_a)
    response = client.post(reverse("console:project_act", args=[project.pk, "delay"]),
                           {"reason": "雨雪天气", "deadline": "2026-12-20"})
    assert response.status_code == 400
    assert "新的完成时限应晚于原时限（2026-12-31）。" in response.content.decode()
    client.post(reverse("console:project_act", args=[project.pk, "delay"]),
                {"reason": "雨雪天气", "deadline": "2027-01-20"})
    project.refresh_from_db()
    assert project.state == S.DELAYED and str(project.deadline) == "2027-01-20"
    page = client.get(reverse("console:project", args=[project.pk])).content.decode()
    assert "完成时限 2026-12-31 → 2027-01-20" in page  # the timeline says it


def test_a_published_projects_deadline_is_not_editable(client, office, personas, project):
    published(project, office, personas)
    client.force_login(office)
    form = client.get(reverse("console:project_edit", args=[project.pk])).context["form"]
    assert form.fields["deadline"].disabled
    client.post(reverse("console:project_edit", args=[project.pk]), {
        "title": project.title, "deadline": "2027-06-30", "responsible_unit": "huanwei"})
    project.refresh_from_db()
    assert str(project.deadline) == "2026-12-31"


def test_a_blank_project_with_units_leader_and_budget(client, office, personas, org):
    client.force_login(office)
    response = client.post(reverse("console:project_create"), {
        "title": "城区公厕提升", "plan": "分三批改造。", "measures": "新建 12 座。",
        "responsible_unit": "shizheng", "cooperating_units": ["huanwei", "digital"],
        "lead_leader": "leader", "budget": "120.5", "deadline": "2027-06-30"})
    project = Project.objects.get()
    assert response["Location"] == reverse("console:project", args=[project.pk])
    assert project.responsible_unit == org.unit_b and project.lead_leader == personas.leader
    assert {u.code for u in project.cooperating_units.all()} == {"huanwei", "digital"}
    assert str(project.budget) == "120.50"
    page = client.get(response["Location"]).content.decode()
    assert "环境卫生管理处、数字化城市管理指挥中心" in page or \
        "数字化城市管理指挥中心、环境卫生管理处" in page
    assert "钱局长" in page and "120.50 万元" in page


# --- from a queue ---------------------------------------------------------------------
def test_ticked_demands_become_a_project_or_join_one(client, personas, office, org,
                                                     categories, project):
    demands = [registered(personas, categories.litter, title=f"渣土撒漏{n}") for n in range(2)]
    client.force_login(office)
    page = client.get(reverse("console:demand_list") + "?queue=received").content.decode()
    assert 'data-testid="bulk-project"' in page and "转为实事项目" in page
    assert "加入已有项目" in page and page.count('data-testid="pick"') >= 2
    response = client.post(reverse("console:project_create"), {
        "from_queue": "1", "demand": [str(d.pk) for d in demands]})
    page = response.content.decode()
    assert response.status_code == 200 and demands[0].number in page
    form = response.context["form"]
    response = client.post(reverse("console:project_create"), {
        "title": "渣土车撒漏整治", "demand_ids": form["demand_ids"].value()})
    made = Project.objects.get(title="渣土车撒漏整治")
    assert set(made.demands.all()) == set(demands)
    assert made.events.get().data["source"] == "queue"

    response = client.post(reverse("console:project_link"), {
        "project": project.pk, "demand": [str(d.pk) for d in demands]})
    assert response["Location"] == reverse("console:project", args=[project.pk])
    assert project.demands.count() == 5


def test_a_handler_without_project_create_only_joins_and_another_unit_cannot(
        client, personas, project, other, categories):
    demand = registered(personas, categories.litter)
    client.force_login(personas.handler_b)
    response = client.post(reverse("console:project_link"), {
        "project": project.pk, "demand": [str(demand.pk)]})
    assert response.status_code == 302 and project.demands.count() == 3
    assert client.post(reverse("console:project_create"), {"from_queue": "1"}).status_code \
        == 403


# --- the demand page, commitments --------------------------------------------------------
def test_a_demand_shows_its_projects_and_a_bad_evaluation_offers_a_commitment(
        client, personas, org, categories, office, project):
    demand = project.demands.first()
    client.force_login(office)
    page = client.get(reverse("console:demand_detail", args=[demand.number])).content.decode()
    assert 'data-testid="demand-projects"' in page
    assert reverse("console:project", args=[project.pk]) in page

    unhappy = replied(personas, org, categories.litter)
    unhappy = replies.evaluate(None, unhappy, 2, comment="垃圾又堆起来了")
    client.force_login(personas.head_a)
    page = client.get(reverse("console:demand_detail", args=[unhappy.number])).content.decode()
    assert "登记整改承诺" in page
    response = client.get(reverse("console:commitment_create"), {"demand": unhappy.number})
    form = response.context["form"]
    assert (form["kind"].value(), form["source"].value(), form["unit"].value(),
            form["demand"].value()) == ("rectification", "evaluation", "huanwei",
                                        unhappy.number)
    response = client.post(reverse("console:commitment_create"), {
        "kind": "rectification", "source": "evaluation", "unit": "huanwei",
        "title": "幸福路垃圾清运整改", "content": "每日清运两次。", "demand": unhappy.number,
        "deadline": "2026-12-15"})
    commitment = Commitment.objects.get()
    assert response["Location"] == reverse("console:commitment", args=[commitment.pk])
    assert commitment.demand == unhappy and commitment.state == CommitmentState.DRAFT


def test_commitment_actions_and_bad_input(client, personas, office, org):
    client.force_login(personas.head_a)
    response = client.post(reverse("console:commitment_create"), {
        "kind": "rectification", "source": "supervision", "unit": "huanwei",
        "title": "整改", "content": "整改内容"})
    assert response.status_code == 400
    assert "整改承诺须写明整改时限。" in response.content.decode()
    response = client.post(reverse("console:commitment_create"), {
        "kind": "service", "source": "unit", "unit": "shizheng", "title": "承诺",
        "content": "内容"})
    assert response.status_code == 400  # not a unit of theirs
    assert not Commitment.objects.exists()

    promise = commitments.create(personas.head_a, kind=CommitmentKind.RECTIFICATION,
                                 unit=org.unit_a, source=CommitmentSource.SUPERVISION,
                                 title="菜场周边保洁", content="每日三次保洁",
                                 deadline="2026-12-05")
    url = reverse("console:commitment", args=[promise.pk])
    assert 'data-action="publish"' not in client.get(url).content.decode()  # the office's
    client.force_login(office)
    client.post(reverse("console:commitment_act", args=[promise.pk, "publish"]), {})
    promise.refresh_from_db()
    assert promise.state == CommitmentState.OPEN
    client.force_login(personas.head_a)
    response = client.post(reverse("console:commitment_act", args=[promise.pk, "fulfil"]),
                           {"evidence": ""}, **HX)
    assert "请填写兑现情况。" in response.content.decode()
    response = client.post(reverse("console:commitment_act", args=[promise.pk, "fulfil"]),
                           {"evidence": "已落实每日三次保洁。"}, **HX)
    assert "已确认兑现。" in response.content.decode()
    promise.refresh_from_db()
    assert promise.state == CommitmentState.FULFILLED
    assert list(promise.events.values_list("kind", flat=True)) == ["create", "publish",
                                                                    "fulfil"]


# --- the home page ----------------------------------------------------------------------
def test_the_home_page_counts_overdue_milestones_and_commitments_in_scope(
        client, personas, office, org, project, other):
    published(project, office, personas)
    published(other, office, personas)
    promise = commitments.create(personas.head_a, kind=CommitmentKind.RECTIFICATION,
                                 unit=org.unit_a, source=CommitmentSource.SUPERVISION,
                                 title="菜场周边保洁", content="每日三次保洁",
                                 deadline="2026-12-05")
    commitments.publish(office, promise)
    with time_machine.travel(at("2026-12-11 08:00"), tick=False):
        sweep.sweep()

        def todo(user):
            client.force_login(user)
            return {item["key"]: item for item in
                    client.get(reverse("console:home")).context["todo"]}

        head = todo(personas.head_a)
        assert head["milestones_overdue"]["count"] == "1"  # unit A's project only
        assert head["commitments_overdue"]["count"] == "1"
        assert head["milestones_overdue"]["url"] == reverse("console:project_list") + \
            "?overdue=on"
        assert todo(office)["milestones_overdue"]["count"] == "2"
        assert todo(personas.handler_b)["milestones_overdue"]["count"] == "1"
        assert "commitments_overdue" not in todo(personas.handler_b)
        assert "milestones_overdue" not in todo(personas.receiver)
        response = client.get(reverse("console:commitment_list"), {"overdue": "on"})
        assert response.status_code == 200


# --- bounded queries --------------------------------------------------------------------
def test_the_lists_cost_the_same_for_many_rows(client, office, org, personas,
                                               django_assert_max_num_queries):
    for n in range(6):
        project = make_project(office, org, title=f"项目{n}")
        actions.post_update(office, published(project, office, personas), f"进展{n}")
        commitments.create(office, kind=CommitmentKind.SERVICE, unit=org.unit_a,
                           title=f"承诺{n}", content="内容", owner=personas.head_a)
    client.force_login(office)
    # session (read, then its update), user, roles, the unit filter's choices, the counts
    # by state, the overdue count, the page's count and rows, inbox, identity (2), and
    # the session update's savepoint and release
    with django_assert_max_num_queries(14):
        page = client.get(reverse("console:project_list")).content.decode()
    assert all(f"项目{n}" in page for n in range(6))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("console:commitment_list")).content.decode()
    assert all(f"承诺{n}" in page for n in range(6))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("console:project_print")).content.decode()
    assert all(f"进展{n}" in page for n in range(6))


# --- export and print -------------------------------------------------------------------
def test_the_excel_export_reads_back_with_progress(client, office, personas, project, other):
    from openpyxl import load_workbook

    project = published(project, office, personas)
    actions.post_update(personas.head_a, project, "=疏导区已放样。")
    actions.complete_milestone(personas.head_a, project.milestones.first(), "已划定。")
    client.force_login(office)
    response = client.get(reverse("console:project_export"), {"unit": "huanwei"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("项目名称", "责任单位", "牵头领导", "完成时限", "状态", "进度",
                       "相关诉求数", "最新进展")
    assert len(rows) == 2  # the filter applies: unit B's project is not there
    title, unit, leader, deadline, state, progress, demands, latest = rows[1]
    assert (title, unit, leader, deadline, state) == (
        project.title, "环境卫生管理处", "钱局长", "2026-12-31", "推进中")
    assert (progress, demands) == ("1/2（50%）", 3)
    assert latest == "2026-12-01 =疏导区已放样。"


def test_the_print_view_is_an_a4_table(client, office, project, other):
    client.force_login(office)
    page = client.get(reverse("console:project_print")).content.decode()
    assert "实事项目推进情况公示表" in page and 'data-print' in page
    assert project.title in page and other.title in page
    assert "console-topbar" not in page  # a sheet, not a console page


def test_the_bulk_action_goes_back_only_to_this_site(client, personas, project):
    client.force_login(personas.head_a)
    response = client.post(reverse("console:project_link"), {
        "project": "", "demand": ["1"], "next": "//evil.example/console/"})
    assert response["Location"] == reverse("console:demand_list")
    response = client.post(reverse("console:project_link"), {
        "project": "", "demand": ["1"], "next": "/console/demands/?queue=all"}, follow=True)
    assert "请选择要加入的实事项目。" in response.content.decode()
