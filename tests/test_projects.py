"""Practical projects (issue #11): the state machine, its refusals, milestones, the sweep,
the public's comments and ratings, and the public view (docs/projects.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inbox.models import Notification
from lib.errors import ActionError
from org.models import Role
from projects import actions, catalogue, commitments, public, public_actions, sweep
from projects.models import (
    CommentState,
    Commitment,
    CommitmentKind,
    CommitmentSource,
    Milestone,
    MilestoneState,
    Project,
    ProjectEvent,
    ProjectState,
)

from .conftest import make_staff
from .demand_helpers import at, registered
from .test_photos import jpeg_with_gps

NOW = at("2026-12-01 10:00")
S = ProjectState


@pytest.fixture
def office(org):
    return make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))


@pytest.fixture
def project(personas, org, categories, office):
    demands = [registered(personas, categories.stall, title=f"幸福路菜场占道{n}",
                          requester_phone=f"1390527{n:04d}") for n in range(3)]
    project = actions.create(
        office, title="幸福路菜市场周边占道经营整治", background="群众反映早市占道。",
        plan="十二月底前完成疏导区建设。", measures="划定疏导区，错时管理。",
        responsible_unit=org.unit_a, deadline="2026-12-31",
        demand_ids=[d.pk for d in demands], at=NOW)
    actions.add_milestone(office, project, "划定疏导区", "2026-12-10", at=NOW)
    actions.add_milestone(office, project, "疏导区启用", "2026-12-25", at=NOW)
    return project


def published(project, office, personas):
    actions.office_approve(office, project, "同意", at=NOW)
    return actions.leader_approve(personas.leader, project, "抓紧实施", at=NOW)


def test_a_project_is_published_after_the_office_and_a_leader_approve(project, office,
                                                                      personas):
    assert project.state == S.DRAFT and project.demands.count() == 3
    assert catalogue.available(personas.leader, project) == ["cancel"]  # office first
    assert "office_approve" in catalogue.available(office, project)
    with pytest.raises(ActionError, match="请先由办公室审核"):
        actions.leader_approve(personas.leader, project, at=NOW)
    actions.office_approve(office, project, at=NOW)
    project.refresh_from_db()
    assert catalogue.available(personas.leader, project) == ["leader_approve", "cancel"]
    project = actions.leader_approve(personas.leader, project, at=NOW)
    assert project.state == S.PUBLISHED and project.published_at == NOW
    assert project.lead_leader == personas.leader
    kinds = list(project.events.values_list("kind", flat=True))
    assert kinds == ["create", "milestone_add", "milestone_add", "office_approve",
                     "leader_approve"]


def test_what_a_public_promise_needs_is_asked_for_in_chinese(personas, org, office):
    bare = actions.create(office, title="公厕提档升级", at=NOW)
    with pytest.raises(ActionError) as refused:
        actions.office_approve(office, bare, at=NOW)
    assert refused.value.message == "公示前请先填写：责任单位、完成时限、推进计划、工作举措。"
    bare.refresh_from_db()
    assert bare.office_approved_at is None


@pytest.mark.parametrize(("values", "message"), [
    ({"since": "2026-12-01", "until": "2026-11-01"}, "开始日期不能晚于结束日期"),
    ({"deadline": "2026-11-30"}, "完成时限不能早于今天"),
    ({"deadline": "明年"}, "完成时限格式应为"),
    ({"budget": "很多"}, "预算必须是数字"),
    ({"title": ""}, "请填写项目名称"),
])
def test_bad_values_are_refused_and_nothing_is_created(office, values, message):
    with pytest.raises(ActionError, match=message):
        actions.create(office, **{"title": "路灯修复", **values}, at=NOW)
    assert not ProjectEvent.objects.exists()


def test_a_milestone_after_the_deadline_is_refused(project, office):
    with pytest.raises(ActionError, match="里程碑不能晚于项目完成时限（2026-12-31）"):
        actions.add_milestone(office, project, "验收", "2027-01-05", at=NOW)
    assert project.milestones.count() == 2
    with pytest.raises(ActionError, match="完成时限不能早于里程碑“疏导区启用”"):
        actions.edit(office, project, deadline="2026-12-20", at=NOW)


def test_progress_delay_resume_and_completion(project, office, personas):
    project = published(project, office, personas)
    photo = SimpleUploadedFile("现场.jpg", jpeg_with_gps(400, 300))
    actions.post_update(personas.head_a, project, "疏导区已选址。", [photo], at=NOW)
    project.refresh_from_db()
    assert project.state == S.IN_PROGRESS  # the first update starts it
    assert project.photos.count() == 1
    with pytest.raises(ActionError, match="新的完成时限应晚于原时限"):
        actions.delay(personas.head_a, project, "雨雪天气", "2026-12-30", at=NOW)
    project = actions.delay(personas.head_a, project, "雨雪天气影响施工", "2027-01-20", at=NOW)
    assert project.state == S.DELAYED and project.deadline == dt.date(2027, 1, 20)
    project = actions.resume(personas.head_a, project, at=NOW)
    with pytest.raises(ActionError, match="还有 2 个里程碑未完成"):
        actions.complete(personas.head_a, project, "已完成", at=NOW)
    assert "complete" not in catalogue.available(personas.head_a, project)
    for milestone in project.milestones.all():
        actions.complete_milestone(personas.head_a, milestone, "已按计划完成", at=NOW)
    project.refresh_from_db()
    project = actions.complete(personas.head_a, project, "疏导区已启用，早市秩序井然。", at=NOW)
    assert project.state == S.DONE and project.completed_at == NOW
    with pytest.raises(ActionError, match="不能撤销"):
        actions.cancel(personas.leader, project, "不要了", at=NOW)


def test_a_bad_photo_leaves_no_update_behind(project, office, personas):
    project = published(project, office, personas)
    with pytest.raises(ActionError, match="不是图片"):
        actions.post_update(personas.head_a, project, "进展",
                            [SimpleUploadedFile("现场.jpg", b"not a picture")], at=NOW)
    assert not project.updates.exists() and not project.photos.exists()
    project.refresh_from_db()
    assert project.state == S.PUBLISHED


def test_another_unit_may_not_touch_the_project(project, office, personas):
    project = published(project, office, personas)
    assert catalogue.available(personas.handler_b, project) == []
    with pytest.raises(ActionError, match="您没有权限"):
        actions.post_update(personas.handler_b, project, "代发进展", at=NOW)
    assert catalogue.available(personas.handler_a, project) == ["start", "post_update",
                                                                "delay"]


def test_the_sweep_marks_overdue_milestones_projects_and_commitments(project, office,
                                                                     personas, org):
    project = published(project, office, personas)
    promise = commitments.create(
        personas.supervisor, kind=CommitmentKind.RECTIFICATION, unit=org.unit_a,
        source=CommitmentSource.SUPERVISION, title="菜场周边保洁", content="每日三次保洁",
        deadline="2026-12-05", at=NOW)
    commitments.publish(office, promise, at=NOW)
    first = sweep.sweep(now=at("2026-12-10 23:00"))  # due the 10th: still on time
    assert first == {"milestones": 0, "projects": 0, "commitments": 1}
    counts = sweep.sweep(now=at("2026-12-11 08:00"))
    assert counts == {"milestones": 1, "projects": 0, "commitments": 0}
    assert sweep.sweep(now=at("2026-12-11 09:00")) == {"milestones": 0, "projects": 0,
                                                       "commitments": 0}  # once
    milestone = project.milestones.get(title="划定疏导区")
    assert milestone.overdue_flag and milestone.state == MilestoneState.PLANNED
    notices = Notification.objects.filter(kind="project.milestone_overdue")
    assert {n.recipient.username for n in notices} == {"head_a", "supervisor"}
    assert sweep.sweep(now=at("2027-01-01 08:00"))["projects"] == 1


def test_comments_are_public_only_once_approved(project, office, personas):
    project = published(project, office, personas)
    first = public_actions.comment(project, "李先生", "13905271234",
                                   "支持！我是李建国，电话13905271234，早该管了。", at=NOW)
    second = public_actions.comment(project, "王女士", "13905270000", "广告 广告", at=NOW)
    assert public.project(project.pk).comments == []
    public_actions.moderate(office, first, approve=True, at=NOW)
    public_actions.moderate(office, second, approve=False, reason="与项目无关", at=NOW)
    shown = public.project(project.pk).comments
    assert [c.name for c in shown] == ["李**"]
    assert "13905271234" not in shown[0].text and "139****1234" in shown[0].text
    assert second.__class__.objects.get(pk=second.pk).state == CommentState.REJECTED


@pytest.mark.parametrize(("name", "phone", "text", "message"), [
    ("李先生", "13905271234", "", "请填写留言内容"),
    ("李先生", "13905271234", "长" * 501, "留言内容不能超过 500 字"),
    ("李先生", "0527-84361234", "支持", "请填写正确的 11 位手机号"),
    ("", "13905271234", "支持", "请填写称呼"),
])
def test_bad_comments_are_refused(project, office, personas, name, phone, text, message):
    project = published(project, office, personas)
    with pytest.raises(ActionError, match=message):
        public_actions.comment(project, name, phone, text, at=NOW)
    assert not project.comments.exists()


def test_a_draft_takes_no_comment_and_is_not_public(project):
    with pytest.raises(ActionError, match="不接受留言"):
        public_actions.comment(project, "李先生", "13905271234", "支持", at=NOW)
    assert public.project(project.pk) is None


def test_a_completed_project_is_rated_once_per_phone(project, office, personas):
    project = published(project, office, personas)
    with pytest.raises(ActionError, match="项目完成后才能评价"):
        public_actions.rate(project, "13905271234", 5, at=NOW)
    actions.start(personas.head_a, project, at=NOW)
    for milestone in project.milestones.all():
        actions.complete_milestone(personas.head_a, milestone, "完成", at=NOW)
    project = actions.complete(personas.head_a, project, "完成", at=NOW)
    public_actions.rate(project, "13905271234", 5, at=NOW)
    public_actions.rate(project, "139 0527 0000", 2, at=NOW)
    with pytest.raises(ActionError, match="每个号码只能评价一次"):
        public_actions.rate(project, "+86 139-0527-1234", 1, at=NOW)
    satisfaction = public.project(project.pk).satisfaction
    assert (satisfaction.satisfied, satisfaction.rated, satisfaction.rate) == (1, 2, 0.5)
    assert public.project_satisfaction().rated == 2


def test_the_public_view_masks_what_staff_quote(project, office, personas):
    actions.edit(office, project, background="李先生（13905271234，身份证 32130219800101123X）"
                                             "反映早市占道。", at=NOW)
    project = published(project, office, personas)
    shown = public.project(project.pk)
    assert "13905271234" not in shown.background and "32130219800101123X" not in shown.background
    assert shown.demands == 3 and shown.milestones == 2 and shown.progress == 0


def test_the_hotspot_drafts_become_draft_projects_with_their_demands(transactional_db, personas,
                                                                      categories, office):
    """The data migration projects.0002, run on the historical models: campaigns'
    ProjectDraft is gone from the code (campaigns.0003 deletes it), so its table is made
    here from the migration state for the length of the test."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from projects.models import Project

    state = MigrationExecutor(connection).loader.project_state(
        [("campaigns", "0002_project_draft"), ("projects", "0002_drafts_from_campaigns")])
    apps = state.apps
    Draft = apps.get_model("campaigns", "ProjectDraft")
    with connection.schema_editor() as editor:
        editor.create_model(Draft)
    try:
        draft = Draft.objects.create(title="幸福路环境整治", keywords=["幸福路", "垃圾"],
                                     description="热点转来", created_by_id=office.pk,
                                     created_at=NOW, since=dt.date(2026, 11, 1),
                                     until=dt.date(2026, 11, 30))
        demand = registered(personas, categories.litter)
        draft.demands.set([demand.pk])
        migration = importlib.import_module("projects.migrations.0002_drafts_from_campaigns")
        migration.copy_drafts(apps, None)
        project = Project.objects.get(title="幸福路环境整治")
        assert (project.state, project.keywords, project.background, project.since) == \
            (S.DRAFT, ["幸福路", "垃圾"], "热点转来", dt.date(2026, 11, 1))
        assert list(project.demands.all()) == [demand]
        assert project.events.get().data == {"from_draft": draft.pk}
        migration.delete_copies(apps, None)
        assert not Project.objects.exists()
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Draft)


def test_refused_transitions_of_projects_milestones_and_commitments(project, office,
                                                                     personas, org):
    """What each state machine refuses, with the state unchanged and no event written."""
    def refused(call, state_of):
        before = state_of()
        with pytest.raises(ActionError) as error:
            call()
        assert error.value.code in {"wrong_state", "invalid", "forbidden"}, error.value.code
        assert state_of() == before
        return error.value.message

    def project_state():
        return (Project.objects.get(pk=project.pk).state, project.events.count())

    # a draft cannot start, take an update, be delayed or completed
    for call in (lambda: actions.start(office, project, at=NOW),
                 lambda: actions.delay(office, project, "原因", "2027-01-31", at=NOW),
                 lambda: actions.complete(office, project, "完成", at=NOW)):
        refused(call, project_state)
    project = published(project, office, personas)
    refused(lambda: actions.office_approve(office, project, at=NOW), project_state)
    refused(lambda: actions.resume(office, project, at=NOW), project_state)  # not delayed
    # a milestone done once cannot be done again, nor without evidence
    milestone = project.milestones.first()
    refused(lambda: actions.complete_milestone(personas.head_a, milestone, "", at=NOW),
            lambda: Milestone.objects.get(pk=milestone.pk).state)
    actions.complete_milestone(personas.head_a, milestone, "疏导区已划定。", at=NOW)
    milestone.refresh_from_db()
    assert refused(lambda: actions.complete_milestone(personas.head_a, milestone, "再次",
                                                      at=NOW),
                   lambda: Milestone.objects.get(pk=milestone.pk).done_at)
    # a commitment: fulfilled only once published, never after cancelling
    promise = commitments.create(office, kind=CommitmentKind.RECTIFICATION, unit=org.unit_a,
                                 title="早市占道整改", content="每日巡查。",
                                 source=CommitmentSource.SUPERVISION, source_note="督查发现。",
                                 deadline="2026-12-20", at=NOW)

    def promise_state():
        return (Commitment.objects.get(pk=promise.pk).state, promise.events.count())

    refused(lambda: commitments.fulfil(office, promise, "已整改", at=NOW), promise_state)
    promise = commitments.publish(office, promise, at=NOW)
    refused(lambda: commitments.publish(office, promise, at=NOW), promise_state)
    promise = commitments.cancel(office, promise, "并入实事项目", at=NOW)
    refused(lambda: commitments.fulfil(office, promise, "已整改", at=NOW), promise_state)
    refused(lambda: commitments.cancel(office, promise, "再撤", at=NOW), promise_state)
