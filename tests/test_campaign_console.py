"""The console's campaign pages (issue #12): who may open each new URL, the filing form
(versions, double submission, bad input), the board's 催报 and its cost, copying, and
the home page's 待报送材料 and 逾期未报."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import actions
from campaigns.models import (
    Campaign,
    CampaignDocument,
    Filing,
    FilingAttachment,
    FilingVersion,
    GroupPosition,
    Reminder,
    Requirement,
    RequirementKind,
)
from inbox.models import Notification
from org.models import Role, Unit, UnitKind

from .conftest import make_staff

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=CST)  # the plan was due on 10 March
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PLAN = {"goals": "群众满意率达到95%", "standards": "三亮三创", "schedule": "6月底前完成",
        "measures": "错时服务", "lead": "王处长"}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office(org):
    return make_staff("office", "吴办公", org.bureau, (Role.OFFICE, None))


@pytest.fixture
def nobody(org):
    return make_staff("nobody", "无角色", org.unit_a)


@pytest.fixture
def campaign(org, personas, office):
    campaign = actions.create_campaign(
        {"code": "c2026", "name": "争创“三满意”机关活动", "starts_on": "2026-01-28",
         "ends_on": "2026-12-31", "office_unit": org.supervision}, by=office,
        participants=[org.unit_a, org.unit_b],
        document=SimpleUploadedFile("实施方案.pdf", PDF))
    first = actions.save_phase(campaign, {"name": "动员部署", "starts_on": "2026-01-28",
                                          "ends_on": "2026-03-15"}, by=office)
    push = actions.save_phase(campaign, {"name": "集中推进", "starts_on": "2026-03-16",
                                         "ends_on": "2026-05-31"}, by=office)
    actions.save_requirement(first, {"kind": "plan", "title": "实施方案",
                                     "due_on": "2026-03-10"}, by=office)
    actions.save_requirement(push, {"kind": "monthly", "title": "月度进展", "due_day": 5},
                             by=office)
    actions.add_group_member(campaign, personas.leader, GroupPosition.LEADER, "全面领导",
                             by=office)
    return campaign


def plan_of(campaign) -> Requirement:
    return Requirement.objects.get(phase__campaign=campaign, kind=RequirementKind.PLAN)


def filing_url(name, requirement, unit, period="2026-03-10"):
    return reverse(f"console:{name}", args=[requirement.pk, unit.code, period])


# --- the permission matrix --------------------------------------------------------------
PEOPLE = ("office", "leader", "supervisor", "head_a", "handler_a", "handler_b", "receiver",
          "nobody")
MANAGERS = {"office", "leader"}
FILERS_A = {"head_a", "handler_a"}
SEE_A = {"office", "leader", "supervisor", "head_a", "handler_a"}  # plan.view on unit A
PLAN_VIEWERS = SEE_A | {"handler_b"}


def _people(personas, office, nobody):
    return {"office": office, "nobody": nobody,
            **{name: getattr(personas, name) for name in PEOPLE
               if name not in ("office", "nobody")}}


def test_every_new_page_answers_each_persona_as_the_matrix_says(
        client, campaign, org, personas, office, nobody):
    requirement = plan_of(campaign)
    version = actions.file(requirement, org.unit_a, "2026-03-10", PLAN, by=personas.head_a,
                           attachments=[SimpleUploadedFile("方案.pdf", PDF)])
    attachment = version.attachments.get()
    phase = requirement.phase
    document = CampaignDocument.objects.get()
    everyone = set(PEOPLE) - {"nobody"}

    def expect(allowed, denied=403):
        return {name: 200 if name in allowed else denied for name in PEOPLE}

    pages = [
        (reverse("console:campaigns"), expect(everyone)),
        (reverse("console:campaign", args=[campaign.code]), expect(everyone)),
        (reverse("console:campaign_document", args=[campaign.code, document.pk]),
         expect(everyone)),
        (reverse("console:campaign_create"), expect(MANAGERS)),
        (reverse("console:campaign_edit", args=[campaign.code]), expect(MANAGERS)),
        (reverse("console:campaign_copy", args=[campaign.code]), expect(MANAGERS)),
        (reverse("console:phase_create", args=[campaign.code]), expect(MANAGERS)),
        (reverse("console:phase_edit", args=[campaign.code, phase.pk]), expect(MANAGERS)),
        (reverse("console:requirement_create", args=[campaign.code, phase.pk]),
         expect(MANAGERS)),
        (reverse("console:requirement_edit", args=[campaign.code, phase.pk, requirement.pk]),
         expect(MANAGERS)),
        (reverse("console:filing_board", args=[phase.pk]), expect(PLAN_VIEWERS)),
        (filing_url("filing", requirement, org.unit_a),
         {name: 200 if name in FILERS_A else 404 if name == "handler_b" else 403
          for name in PEOPLE}),
        (filing_url("filing_history", requirement, org.unit_a),
         {name: 200 if name in SEE_A else 404 if name == "handler_b" else 403
          for name in PEOPLE}),
        (reverse("console:filing_attachment", args=[attachment.pk]), expect(SEE_A, 404)),
    ]
    people = _people(personas, office, nobody)
    found = {}
    for url, _wanted in pages:
        for name, user in people.items():
            client.force_login(user)
            found[(url, name)] = client.get(url).status_code
    assert found == {(url, name): code for url, wanted in pages for name, code in wanted.items()}
    client.logout()
    assert client.get(reverse("console:campaigns")).status_code == 302  # to sign in


def test_the_posts_are_refused_to_those_without_the_right(client, campaign, org, personas,
                                                          office):
    requirement = plan_of(campaign)
    remind = reverse("console:filing_remind", args=[requirement.phase.pk])
    data = {"requirement": requirement.pk, "unit": org.unit_a.code, "period": "2026-03-10"}
    for user in (personas.leader, personas.head_a, personas.supervisor):
        client.force_login(user)
        assert client.post(remind, data).status_code == 403
    group = reverse("console:campaign_group", args=[campaign.code])
    client.force_login(personas.head_a)
    assert client.post(group, {"op": "add", "user": personas.head_a.pk,
                               "position": "member"}).status_code == 403
    client.force_login(personas.handler_b)
    response = client.post(filing_url("filing", requirement, org.unit_a),
                           {**PLAN, "expected": 0})
    assert response.status_code == 404
    assert not Reminder.objects.exists() and not Filing.objects.exists()
    assert campaign.leading_group.count() == 1


def test_a_unit_sees_only_its_own_row_on_the_board(client, campaign, personas, office):
    board = reverse("console:filing_board", args=[plan_of(campaign).phase.pk])
    client.force_login(personas.head_a)
    page = client.get(board).content.decode()
    assert "环境卫生管理处" in page and "市政设施管理处" not in page
    assert 'data-testid="remind"' not in page  # units do not remind each other
    client.force_login(office)
    page = client.get(board).content.decode()
    assert "环境卫生管理处" in page and "市政设施管理处" in page


# --- the filing form --------------------------------------------------------------------
def test_a_unit_files_its_plan_then_revises_it_and_both_versions_stay(
        client, campaign, org, personas):
    requirement = plan_of(campaign)
    url = filing_url("filing", requirement, org.unit_a)
    client.force_login(personas.head_a)
    page = client.get(url).content.decode()
    assert "已过截止日期" in page and 'name="expected"' in page
    response = client.post(url, {**PLAN, "expected": 0,
                                 "attachments": SimpleUploadedFile("方案.pdf", PDF)})
    assert response.status_code == 302
    assert response.url == filing_url("filing_history", requirement, org.unit_a)
    filing = Filing.objects.get()
    assert filing.late and filing.current.number == 1
    # a revision starts from the current text and must say why
    page = client.get(url).content.decode()
    assert PLAN["goals"] in page and "修改说明" in page
    response = client.post(url, {**PLAN, "goals": "群众满意率达到98%", "expected": 1})
    assert response.status_code == 400 and "请填写修改说明" in response.content.decode()
    client.post(url, {**PLAN, "goals": "群众满意率达到98%", "expected": 1, "note": "提高目标"})
    history = client.get(filing_url("filing_history", requirement, org.unit_a)).content.decode()
    assert history.count('data-testid="version"') == 2
    assert "群众满意率达到95%" in history and "群众满意率达到98%" in history
    assert "提高目标" in history and "方案.pdf" in history


def test_the_same_form_sent_twice_saves_one_version(client, campaign, org, personas):
    requirement = Requirement.objects.get(kind=RequirementKind.MONTHLY)
    url = filing_url("filing", requirement, org.unit_a, "2026-03-01")
    client.force_login(personas.handler_a)
    first = client.post(url, {"content": "三月份进展", "expected": 0})
    second = client.post(url, {"content": "三月份进展", "expected": 0}, follow=True)
    assert first.status_code == 302
    assert "没有重复保存" in second.content.decode()
    assert FilingVersion.objects.count() == 1
    assert not Filing.objects.get().late  # due 5 April


@pytest.mark.parametrize(("fields", "upload", "message"), [
    ({**PLAN, "measures": ""}, None, "请填写推进措施"),
    (dict.fromkeys(PLAN, ""), None, "请填写目标任务"),
    (PLAN, SimpleUploadedFile("病毒.exe", b"MZ\x90\x00"), "类型不支持"),
    (PLAN, SimpleUploadedFile("改名.docx", PDF), "扩展名与内容不符"),
    (PLAN, SimpleUploadedFile("大.pdf", PDF + b"0" * (20 * 1024 * 1024)), "超过 20 MB"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(
        client, campaign, org, personas, fields, upload, message):
    client.force_login(personas.head_a)
    data = {**fields, "expected": 0}
    if upload is not None:
        data["attachments"] = upload
    response = client.post(filing_url("filing", plan_of(campaign), org.unit_a), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Filing.objects.exists() and not FilingAttachment.objects.exists()


def test_a_period_not_of_the_requirement_is_not_found(client, campaign, org, personas):
    client.force_login(personas.head_a)
    requirement = plan_of(campaign)
    for period in ("2026-03-11", "not-a-date"):
        assert client.get(filing_url("filing", requirement, org.unit_a, period)) \
            .status_code == 404
    # a unit that does not take part owes nothing
    assert client.get(filing_url("filing", requirement, org.team_a)).status_code == 404


# --- the board and reminders ------------------------------------------------------------
def test_the_office_reminds_once_and_the_button_then_says_when(client, campaign, org,
                                                               personas, office):
    requirement = plan_of(campaign)
    board = reverse("console:filing_board", args=[requirement.phase.pk])
    client.force_login(office)
    page = client.get(board + "?status=missing").content.decode()
    assert page.count('data-testid="remind"') == 2  # both units are late
    remind = reverse("console:filing_remind", args=[requirement.phase.pk])
    data = {"requirement": requirement.pk, "unit": org.unit_a.code, "period": "2026-03-10",
            "next": board + "?status=missing"}
    response = client.post(remind, data, follow=True)
    assert response.redirect_chain[-1][0] == board + "?status=missing"
    page = response.content.decode()
    assert "已向“环境卫生管理处”催报实施方案" in page
    assert "已催报 03-20 10:00" in page and page.count('data-testid="remind"') == 1
    again = client.post(remind, data, follow=True).content.decode()
    assert "已于2026-03-20 10:00催报" in again
    assert Reminder.objects.count() == 1
    notice = Notification.objects.get()
    assert notice.recipient == personas.head_a
    assert notice.link == filing_url("filing", requirement, org.unit_a)


def test_an_outside_next_address_is_not_followed(client, campaign, org, office):
    requirement = plan_of(campaign)
    client.force_login(office)
    response = client.post(reverse("console:filing_remind", args=[requirement.phase.pk]),
                           {"requirement": requirement.pk, "unit": org.unit_a.code,
                            "period": "2026-03-10", "next": "https://evil.example/"})
    assert response.url == reverse("console:filing_board", args=[requirement.phase.pk])


def test_the_board_filters_by_status_requirement_period_and_unit(client, campaign, org,
                                                                 personas, office):
    push = Requirement.objects.get(kind=RequirementKind.MONTHLY)
    actions.file(push, org.unit_a, "2026-03-01", {"content": "三月"}, by=personas.head_a)
    client.force_login(office)
    url = reverse("console:filing_board", args=[push.phase.pk])
    page = client.get(url, {"status": "filed"}).content.decode()
    assert page.count('data-testid="board-row"') == 1 and "环境卫生管理处" in page
    page = client.get(url, {"column": f"{push.pk}:2026-04-01"}).content.decode()
    assert page.count('data-testid="cell"') == 2
    page = client.get(url, {"q": "市政"}).content.decode()
    assert page.count('data-testid="board-row"') == 1 and "市政设施管理处" in page


def test_the_board_page_costs_the_same_with_30_units(client, campaign, org, office):
    phase = Requirement.objects.get(kind=RequirementKind.MONTHLY).phase
    url = reverse("console:filing_board", args=[phase.pk])
    client.force_login(office)
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(30):
        unit = Unit.objects.create(code=f"u{n}", name=f"单位{n}", kind=UnitKind.SUBORDINATE,
                                   parent=org.bureau)
        campaign.participants.add(unit)
    assert count() == few == 15


# --- copying, editing -------------------------------------------------------------------
def test_the_office_copies_the_campaign_to_the_next_year(client, campaign, office):
    client.force_login(office)
    url = reverse("console:campaign_copy", args=[campaign.code])
    page = client.get(url).content.decode()
    assert 'value="2027-01-28"' in page and 'value="c2026-2027"' not in page
    response = client.post(url, {"starts_on": "2027-01-28", "code": "c2027",
                                 "name": "2027年争创“三满意”机关活动"})
    assert response.status_code == 302
    assert response.url == reverse("console:campaign", args=["c2027"])
    copy = Campaign.objects.get(code="c2027")
    assert [(p.name, p.starts_on) for p in copy.phases.all()] == [
        ("动员部署", D(2027, 1, 28)), ("集中推进", D(2027, 3, 16))]
    page = client.get(response.url).content.decode()
    assert "复制自" in page and "2027-03-16" in page
    taken = client.post(url, {"starts_on": "2028-01-28", "code": "c2027", "name": "再来"})
    assert taken.status_code == 400 and "已被使用" in taken.content.decode()


def test_phase_and_requirement_forms_refuse_bad_dates(client, campaign, office):
    client.force_login(office)
    response = client.post(reverse("console:phase_create", args=[campaign.code]),
                           {"name": "总结完善", "starts_on": "2026-06-01",
                            "ends_on": "2026-05-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    response = client.post(reverse("console:phase_create", args=[campaign.code]),
                           {"name": "总结完善", "starts_on": "2026-05-01",
                            "ends_on": "2026-06-30"})
    assert response.status_code == 400 and "重叠" in response.content.decode()
    phase = campaign.phases.get(order=2)
    response = client.post(reverse("console:requirement_create", args=[campaign.code, phase.pk]),
                           {"kind": "summary", "title": "工作总结", "due_on": "2027-01-05"})
    assert response.status_code == 400 and "必须在活动起止日期之内" in response.content.decode()
    assert campaign.phases.count() == 2 and Requirement.objects.count() == 2


def test_the_edit_page_uploads_a_new_document_and_manages_the_group(
        client, campaign, org, office, personas):
    client.force_login(office)
    url = reverse("console:campaign_edit", args=[campaign.code])
    response = client.post(url, {"name": campaign.name, "starts_on": "2026-01-28",
                                 "ends_on": "2026-12-31", "office_unit": org.supervision.code,
                                 "participants": [org.unit_a.code, org.unit_b.code],
                                 "document": SimpleUploadedFile("方案二.pdf", PDF)})
    assert response.status_code == 302
    assert list(campaign.documents.values_list("name", flat=True)) == ["方案二.pdf",
                                                                       "实施方案.pdf"]
    group = reverse("console:campaign_group", args=[campaign.code])
    client.post(group, {"op": "add", "user": personas.supervisor.pk, "position": "member",
                        "responsibility": "督查考核"})
    member = campaign.leading_group.get(user=personas.supervisor)
    client.post(group, {"op": "update", "member": member.pk, "position": "deputy",
                        "responsibility": "督查"})
    member.refresh_from_db()
    assert (member.position, member.responsibility) == ("deputy", "督查")
    client.post(group, {"op": "remove", "member": member.pk})
    assert campaign.leading_group.count() == 1
    page = client.get(reverse("console:campaign", args=[campaign.code])).content.decode()
    assert "方案二.pdf" in page and "钱局长" in page


def test_the_campaign_page_shows_each_phases_counts(client, campaign, office):
    client.force_login(office)
    page = client.get(reverse("console:campaign", args=[campaign.code])).content.decode()
    assert "逾期未报 2" in page  # the plan, for both units
    assert "未到期 6" in page  # three months of progress for two units


# --- the home page ----------------------------------------------------------------------
def test_the_home_page_lists_a_units_filings_and_the_offices_missing_count(
        client, campaign, org, personas, office):
    client.force_login(personas.head_a)
    page = client.get(reverse("console:home")).content.decode()
    assert "待报送材料" in page and "逾期未报（3月10日截止）" in page
    assert filing_url("filing", plan_of(campaign), org.unit_a) in page
    client.force_login(office)
    response = client.get(reverse("console:home"))
    item = [i for i in response.context["todo"] if i["key"] == "filings_missing"]
    assert item[0]["count"] == "2" or item[0]["count"] == 2
    client.force_login(personas.receiver)
    page = client.get(reverse("console:home")).content.decode()
    assert "待报送材料" not in page
