"""The campaign's actions (docs/campaign.md): copying to another year, phases and
requirements refused with Chinese errors, filings kept as versions, the late flag, the
filing board's status over time, reminders sent once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import ActivityKind, Target, TargetSubject
from campaigns import actions, status
from campaigns.dates import shifter
from campaigns.models import (
    Campaign,
    CampaignDocument,
    Filing,
    FilingAttachment,
    FilingVersion,
    GroupPosition,
    LeadingGroupMember,
    Phase,
    Reminder,
    Requirement,
    RequirementKind,
)
from campaigns.signals import campaign_copied
from inbox.models import Notification
from lib.errors import ActionError
from org.models import Role, Unit, UnitKind

from .conftest import make_staff

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PLAN = {"goals": "群众满意率达到95%", "standards": "三亮三创", "schedule": "6月底前完成",
        "measures": "错时服务", "lead": "王处长"}


def pdf(name="方案.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def office(org):
    return make_staff("office", "吴办公", org.bureau, (Role.OFFICE, None))


@pytest.fixture
def campaign(org, personas, office):
    """A leap-year campaign: it starts on 29 February 2024."""
    campaign = actions.create_campaign(
        {"code": "c2024", "name": "争创“三满意”机关活动", "starts_on": "2024-02-29",
         "ends_on": "2024-12-31", "office_unit": org.supervision.code}, by=office,
        participants=[org.unit_a, org.unit_b])
    first = actions.save_phase(campaign, {"name": "动员部署", "starts_on": "2024-02-29",
                                          "ends_on": "2024-03-15"}, by=office)
    push = actions.save_phase(campaign, {"name": "集中推进", "starts_on": "2024-03-16",
                                         "ends_on": "2024-05-20"}, by=office)
    actions.save_phase(campaign, {"name": "总结完善", "starts_on": "2024-05-21",
                                  "ends_on": "2024-12-31"}, by=office)
    actions.save_requirement(first, {"kind": "plan", "title": "实施方案",
                                     "due_on": "2024-03-10"}, by=office)
    actions.save_requirement(push, {"kind": "monthly", "title": "月度进展", "due_day": 5},
                             by=office)
    actions.add_group_member(campaign, personas.leader, GroupPosition.LEADER, "全面领导",
                             by=office)
    return campaign


def plan_of(campaign) -> Requirement:
    return Requirement.objects.get(phase__campaign=campaign, kind=RequirementKind.PLAN)


# --- dates ------------------------------------------------------------------------------
def test_a_whole_year_shift_keeps_month_and_day_and_29_february_becomes_28():
    shift = shifter(D(2024, 2, 29), D(2025, 2, 28))
    assert shift(D(2024, 2, 29)) == D(2025, 2, 28)
    assert shift(D(2024, 3, 1)) == D(2025, 3, 1)  # not 2 March: whole years, not 366 days
    assert shift(D(2024, 12, 31)) == D(2025, 12, 31)
    later = shifter(D(2025, 1, 28), D(2028, 1, 28))
    assert later(D(2025, 3, 1)) == D(2028, 3, 1)


def test_another_start_day_moves_every_date_by_the_same_number_of_days():
    shift = shifter(D(2025, 1, 28), D(2026, 2, 2))
    assert shift(D(2025, 1, 28)) == D(2026, 2, 2)
    assert shift(D(2025, 2, 10)) == D(2026, 2, 15)


# --- copying ----------------------------------------------------------------------------
def test_a_copy_keeps_the_structure_and_moves_the_dates_by_a_year(campaign, office, org):
    Target.objects.create(campaign=campaign, label="每位党组成员下基层不少于6次",
                          kind=ActivityKind.VISIT, count=6, subject=TargetSubject.ROLE,
                          role=Role.LEADER, period_start=D(2024, 2, 29),
                          period_end=D(2024, 12, 31))
    copy = actions.copy_campaign(campaign, D(2025, 2, 28), "c2025", "2025年活动", by=office)
    assert copy.copied_from == campaign
    assert (copy.starts_on, copy.ends_on) == (D(2025, 2, 28), D(2025, 12, 31))
    assert [(p.order, p.name, p.starts_on, p.ends_on) for p in copy.phases.all()] == [
        (1, "动员部署", D(2025, 2, 28), D(2025, 3, 15)),
        (2, "集中推进", D(2025, 3, 16), D(2025, 5, 20)),
        (3, "总结完善", D(2025, 5, 21), D(2025, 12, 31))]
    assert [(r.kind, r.title, r.due_on, r.due_day) for r in
            Requirement.objects.filter(phase__campaign=copy).order_by("phase__order")] == [
        ("plan", "实施方案", D(2025, 3, 10), None), ("monthly", "月度进展", None, 5)]
    assert list(copy.leading_group.values_list("user__username", "position")) == [
        ("leader", "leader")]
    assert set(copy.participants.all()) == {org.unit_a, org.unit_b}
    target = copy.targets.get()  # the activities app's receiver copied it
    assert (target.period_start, target.period_end) == (D(2025, 2, 28), D(2025, 12, 31))
    # the source is untouched
    assert campaign.phases.first().starts_on == D(2024, 2, 29)


def test_a_copy_to_another_day_moves_every_date_by_the_days_between(campaign, office):
    copy = actions.copy_campaign(campaign, "2025-03-03", "c2025", "2025年活动", by=office)
    days = (D(2025, 3, 3) - D(2024, 2, 29)).days
    assert copy.ends_on == D(2024, 12, 31) + dt.timedelta(days=days)
    assert plan_of(copy).due_on == D(2024, 3, 10) + dt.timedelta(days=days)


def test_filings_and_reminders_are_not_copied(campaign, office, personas, org):
    actions.file(plan_of(campaign), org.unit_a, "2024-03-10", PLAN, by=personas.head_a)
    copy = actions.copy_campaign(campaign, D(2025, 2, 28), "c2025", "2025年活动", by=office)
    assert not Filing.objects.filter(requirement__phase__campaign=copy).exists()


def test_a_copy_is_one_transaction(campaign, office):
    def fail(**kwargs):
        raise RuntimeError("the targets could not be copied")

    campaign_copied.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            actions.copy_campaign(campaign, D(2025, 2, 28), "c2025", "2025年活动", by=office)
    finally:
        campaign_copied.disconnect(dispatch_uid="test-fail")
    assert not Campaign.objects.filter(code="c2025").exists()
    assert Phase.objects.count() == 3 and LeadingGroupMember.objects.count() == 1


def test_a_copy_needs_a_new_code_and_the_right(campaign, office, personas):
    with pytest.raises(ActionError, match="已被使用"):
        actions.copy_campaign(campaign, D(2025, 2, 28), "c2024", "又一个", by=office)
    with pytest.raises(ActionError, match="小写字母"):
        actions.copy_campaign(campaign, D(2025, 2, 28), "年度 活动", "又一个", by=office)
    with pytest.raises(ActionError) as refused:
        actions.copy_campaign(campaign, D(2025, 2, 28), "c2025", "又一个", by=personas.head_a)
    assert refused.value.code == "forbidden"
    assert Campaign.objects.count() == 1


# --- phases, requirements, the campaign -------------------------------------------------
def test_phase_dates_are_checked_in_chinese_and_nothing_is_saved(campaign, office):
    cases = [({"starts_on": "2024-04-01", "ends_on": "2024-03-01"}, "结束日期不能早于开始日期"),
             ({"starts_on": "2024-01-01", "ends_on": "2024-03-01"}, "必须在活动起止日期之内"),
             ({"starts_on": "2024-03-10", "ends_on": "2024-03-20"}, "重叠"),
             ({"starts_on": "2024-13-01", "ends_on": "2024-03-20"}, "格式")]
    for dates, message in cases:
        with pytest.raises(ActionError, match=message):
            actions.save_phase(campaign, {"name": "新阶段", **dates}, by=office)
    assert campaign.phases.count() == 3


def test_a_requirement_is_due_inside_the_campaign(campaign, office):
    phase = campaign.phases.first()
    with pytest.raises(ActionError, match="报送截止日期必须在活动起止日期之内"):
        actions.save_requirement(phase, {"kind": "summary", "title": "工作总结",
                                         "due_on": "2025-01-10"}, by=office)
    with pytest.raises(ActionError, match="1–28"):
        actions.save_requirement(phase, {"kind": "monthly", "title": "月报", "due_day": 31},
                                 by=office)
    with pytest.raises(ActionError, match="报送类型"):
        actions.save_requirement(phase, {"kind": "poem", "title": "诗"}, by=office)
    assert Requirement.objects.count() == 2


def test_campaign_dates_may_not_leave_a_phase_outside(campaign, office, org):
    with pytest.raises(ActionError, match="总结完善"):
        actions.update_campaign(campaign, {"name": campaign.name, "starts_on": "2024-02-29",
                                           "ends_on": "2024-10-31",
                                           "office_unit": org.supervision}, by=office)
    campaign.refresh_from_db()
    assert campaign.ends_on == D(2024, 12, 31)


def test_documents_are_kept_as_versions_and_checked_by_content(campaign, office, org):
    fields = {"name": campaign.name, "starts_on": campaign.starts_on,
              "ends_on": campaign.ends_on, "office_unit": org.supervision}
    actions.update_campaign(campaign, fields, by=office, document=pdf("方案一.pdf"))
    actions.update_campaign(campaign, fields, by=office, document=pdf("方案二.pdf"))
    assert list(campaign.documents.values_list("name", flat=True)) == ["方案二.pdf", "方案一.pdf"]
    with pytest.raises(ActionError, match="内容不是"):
        actions.update_campaign(campaign, {**fields, "name": "改名"}, by=office,
                                document=pdf("假的.pdf", b"MZ\x90\x00 not a pdf"))
    campaign.refresh_from_db()
    assert campaign.name != "改名" and CampaignDocument.objects.count() == 2


def test_a_new_campaign_has_every_office_subordinate_unit_and_district_by_default(org, office):
    Unit.objects.create(code="branch", name="支部", kind=UnitKind.BRANCH, parent=org.bureau)
    campaign = actions.create_campaign({"code": "c2026", "name": "活动", "starts_on": D(2026, 1, 1),
                                        "ends_on": D(2026, 12, 31),
                                        "office_unit": org.supervision}, by=office)
    assert set(campaign.participants.values_list("code", flat=True)) == {
        "ducha", "huanwei", "shizheng", "digital"}  # not the team below, not a branch


# --- filing -----------------------------------------------------------------------------
def test_a_plan_filed_on_the_due_day_is_on_time_and_the_next_day_late(campaign, org, personas):
    requirement = plan_of(campaign)
    on_time = dt.datetime(2024, 3, 10, 23, 59, tzinfo=CST)
    version = actions.file(requirement, org.unit_a, "2024-03-10", PLAN, by=personas.head_a,
                           at=on_time)
    assert version.number == 1 and not version.filing.late
    assert version.filing.current == version
    late = actions.file(requirement, org.unit_b, "2024-03-10", PLAN, by=personas.handler_b,
                        at=dt.datetime(2024, 3, 11, 0, 1, tzinfo=CST))
    assert late.filing.late


def test_a_revision_adds_a_version_and_never_overwrites(campaign, org, personas):
    requirement = plan_of(campaign)
    first = actions.file(requirement, org.unit_a, "2024-03-10", PLAN, by=personas.head_a,
                         attachments=[pdf()], expected=0)
    with pytest.raises(ActionError, match="修改说明"):
        actions.file(requirement, org.unit_a, "2024-03-10", {**PLAN, "goals": "新目标"},
                     by=personas.head_a, expected=1)
    second = actions.file(requirement, org.unit_a, "2024-03-10",
                          {**PLAN, "goals": "新目标", "note": "按要求细化目标"},
                          by=personas.handler_a, expected=1)
    first.refresh_from_db()
    assert first.goals == PLAN["goals"] and first.attachments.count() == 1
    assert second.number == 2 and second.filing == first.filing
    assert Filing.objects.get().current == second
    assert list(FilingVersion.objects.values_list("number", flat=True)) == [2, 1]


def test_the_same_form_sent_twice_saves_once(campaign, org, personas):
    requirement = plan_of(campaign)
    actions.file(requirement, org.unit_a, "2024-03-10", PLAN, by=personas.head_a, expected=0)
    with pytest.raises(ActionError) as twice:
        actions.file(requirement, org.unit_a, "2024-03-10", PLAN, by=personas.head_a,
                     expected=0)
    assert twice.value.code == "conflict" and "没有重复保存" in twice.value.message
    assert FilingVersion.objects.count() == 1


def test_filing_is_refused_for_others_outsiders_wrong_periods_and_empty_content(
        campaign, org, personas):
    requirement = plan_of(campaign)
    monthly = Requirement.objects.get(kind=RequirementKind.MONTHLY)
    cases = [
        (requirement, org.unit_b, "2024-03-10", PLAN, personas.head_a, "无权"),
        (requirement, org.team_a, "2024-03-10", PLAN, personas.head_a, "不是本次活动的参加单位"),
        (requirement, org.unit_a, "2024-03-11", PLAN, personas.head_a, "期次不属于"),
        (monthly, org.unit_a, "2024-03-15", {"content": "进展"}, personas.head_a, "期次不属于"),
        (requirement, org.unit_a, "2024-03-10", {**PLAN, "measures": "  "}, personas.head_a,
         "请填写推进措施"),
        (monthly, org.unit_a, "2024-03-01", {"content": ""}, personas.head_a, "请填写报送内容"),
    ]
    for req, unit, period, fields, by, message in cases:
        with pytest.raises(ActionError, match=message):
            actions.file(req, unit, period, fields, by=by)
    assert not Filing.objects.exists()


def test_a_bad_attachment_saves_nothing(campaign, org, personas, settings):
    requirement = plan_of(campaign)
    for upload, message in [(pdf("病毒.exe", b"MZ\x90"), "类型不支持"),
                            (pdf("改名.pdf", b"PK\x03\x04junk"), "内容不是"),
                            ]:
        with pytest.raises(ActionError, match=message):
            actions.file(requirement, org.unit_a, "2024-03-10", PLAN, by=personas.head_a,
                         attachments=[upload])
    big = pdf("大文件.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ActionError, match="超过 20 MB"):
        actions.file(requirement, org.unit_a, "2024-03-10", PLAN, by=personas.head_a,
                     attachments=[pdf(), big])
    assert not Filing.objects.exists() and not FilingAttachment.objects.exists()


# --- status over time -------------------------------------------------------------------
def test_the_board_before_and_after_the_due_date(campaign, org, personas):
    first = campaign.phases.get(order=1)
    actions.file(plan_of(campaign), org.unit_a, "2024-03-10", PLAN, by=personas.head_a,
                 at=dt.datetime(2024, 3, 9, 9, 0, tzinfo=CST))
    with time_machine.travel(dt.datetime(2024, 3, 10, 20, 0, tzinfo=CST), tick=False):
        board = status.board(first, D(2024, 3, 10))
    assert [(row.unit.code, [c.label for c in row.cells]) for row in board.rows] == [
        ("huanwei", ["已报送"]), ("shizheng", ["未到期"])]
    board = status.board(first, D(2024, 3, 11))
    assert [c.label for row in board.rows for c in row.cells] == ["已报送", "逾期未报"]
    assert board.counts == {"filed": 1, "filed_late": 0, "pending": 0, "missing": 1}
    actions.file(plan_of(campaign), org.unit_b, "2024-03-10", PLAN,
                 by=make_staff("head_b", "李处长", org.unit_b, (Role.UNIT_HEAD, org.unit_b)),
                 at=dt.datetime(2024, 3, 12, 9, 0, tzinfo=CST))
    board = status.board(first, D(2024, 3, 12))
    assert [c.label for row in board.rows for c in row.cells] == ["已报送", "逾期报送"]


def test_a_monthly_requirement_has_one_column_per_month_of_its_phase(campaign):
    push = campaign.phases.get(order=2)
    board = status.board(push, D(2024, 5, 1))
    assert [(c.label, c.due_on) for c in board.columns] == [
        ("月度进展 2024年3月", D(2024, 4, 5)), ("月度进展 2024年4月", D(2024, 5, 5)),
        ("月度进展 2024年5月", D(2024, 6, 5))]
    assert [c.label for c in board.rows[0].cells] == ["逾期未报", "未到期", "未到期"]


def test_a_units_home_lists_its_own_due_and_late_filings(campaign, org, personas):
    with time_machine.travel(dt.datetime(2024, 4, 1, 9, 0, tzinfo=CST), tick=False):
        owed = status.owed(personas.head_a, D(2024, 4, 1))
        # late, and due within two weeks; unit B's are not unit A's business
        assert [(o.unit.code, o.label, o.late) for o in owed] == [
            ("huanwei", "实施方案", True), ("huanwei", "月度进展 2024年3月", False)]
        assert status.missing_count(D(2024, 4, 1)) == 2
    with time_machine.travel(dt.datetime(2024, 3, 1, 9, 0, tzinfo=CST), tick=False):
        owed = status.owed(personas.head_a, D(2024, 3, 1))
        assert [(o.label, o.late) for o in owed] == [("实施方案", False)]
        assert status.missing_count(D(2024, 3, 1)) == 0
    assert status.owed(personas.supervisor, D(2024, 4, 1)) == []


def test_the_board_costs_four_queries_whatever_the_number_of_units(campaign, org, personas):
    push = campaign.phases.get(order=2)
    for n in range(30):
        unit = Unit.objects.create(code=f"u{n}", name=f"单位{n}", kind=UnitKind.SUBORDINATE,
                                   parent=org.bureau)
        campaign.participants.add(unit)
    monthly = Requirement.objects.get(kind=RequirementKind.MONTHLY)
    actions.file(monthly, org.unit_a, "2024-03-01", {"content": "三月进展"},
                 by=personas.head_a)
    with CaptureQueriesContext(connection) as queries:
        board = status.board(push, D(2024, 5, 1))
        assert len(board.rows) == 32
    assert len(queries) == 4


# --- reminders --------------------------------------------------------------------------
def test_a_reminder_is_sent_once_to_the_units_heads(campaign, org, personas, office):
    requirement = plan_of(campaign)
    at = dt.datetime(2024, 3, 12, 9, 30, tzinfo=CST)
    reminder = actions.remind(requirement, org.unit_a, "2024-03-10", by=office, at=at)
    assert reminder.sent_by == office
    notice = Notification.objects.get()
    assert notice.recipient == personas.head_a and "实施方案" in notice.title
    with pytest.raises(ActionError, match="已于2024-03-12 09:30催报"):
        actions.remind(requirement, org.unit_a, "2024-03-10", by=office)
    assert Reminder.objects.count() == 1 and Notification.objects.count() == 1
    board = status.board(campaign.phases.get(order=1), D(2024, 3, 13))
    assert board.rows[0].cells[0].reminder == reminder


def test_only_the_office_reminds_and_not_a_unit_that_filed(campaign, org, personas, office):
    requirement = plan_of(campaign)
    with pytest.raises(ActionError) as refused:
        actions.remind(requirement, org.unit_a, "2024-03-10", by=personas.head_a)
    assert refused.value.code == "forbidden"
    actions.file(requirement, org.unit_a, "2024-03-10", PLAN, by=personas.head_a)
    with pytest.raises(ActionError, match="已报送"):
        actions.remind(requirement, org.unit_a, "2024-03-10", by=office)
    with pytest.raises(ActionError, match="没有单位负责人"):
        actions.remind(requirement, org.unit_b, "2024-03-10", by=office)
    assert not Reminder.objects.exists() and not Notification.objects.exists()
