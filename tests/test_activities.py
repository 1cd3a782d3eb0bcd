"""Activity records (issue #12): recording the four kinds with their rules and Chinese
refusals, nothing half-saved, a form submitted twice saving once, edit and delete, and the
console's pages with who may see and change what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import actions
from activities.models import Activity, ActivityFile, ActivityKind, ActivityPhoto
from campaigns.models import Campaign
from demands.models import RequesterKind
from enterprises.models import Enterprise
from lib.errors import ActionError
from org.models import Role, Unit, UnitKind

from .conftest import make_staff
from .demand_helpers import intake, registered
from .test_photos import jpeg_with_gps

D = dt.date
K = ActivityKind
NOW = dt.datetime(2026, 7, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    campaign: Campaign
    branch_1: Unit
    branch_2: Unit
    office: object
    party: object
    enterprise: Enterprise


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(org, personas) -> World:
    campaign = Campaign.objects.create(code="c2026", name="争创“三满意”机关活动",
                                       starts_on=D(2026, 1, 28), ends_on=D(2026, 12, 31),
                                       office_unit=org.supervision)
    party_unit = Unit.objects.create(code="party", name="机关党委", kind=UnitKind.OFFICE,
                                     parent=org.bureau)
    branch_1 = Unit.objects.create(code="branch-1", name="机关第一党支部", kind=UnitKind.BRANCH,
                                   parent=party_unit)
    branch_2 = Unit.objects.create(code="branch-2", name="机关第二党支部", kind=UnitKind.BRANCH,
                                   parent=party_unit)
    office = make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))
    party = make_staff("party", "陈书记", party_unit, (Role.PARTY, None))
    enterprise = Enterprise.objects.create(name="宿迁洋河环卫服务有限公司")
    return World(campaign, branch_1, branch_2, office, party, enterprise)


def visit(by, people=None, day="2026-07-18", token="", **fields):
    values = {"occurred_on": day, "visited": "幸福社区", "summary": "走访了解环境卫生问题。"}
    values.update(fields)
    return actions.record(K.VISIT, values, people or [by], form_token=token, by=by)


def photo(name="现场.jpg", data=None):
    return SimpleUploadedFile(name, data or jpeg_with_gps(800, 600), content_type="image/jpeg")


def pdf(name="纪要.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def refused(call, *args, **kwargs) -> ActionError:
    with pytest.raises(ActionError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- the action ---------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_a_leader_records_a_visit_with_photos_and_minutes(world, personas):
    activity = actions.record(
        K.VISIT, {"occurred_on": "2026-07-18", "visited": "幸福社区", "met": "社区书记",
                  "summary": "座谈，了解垃圾清运问题。", "place": "幸福社区居委会"},
        [personas.leader, personas.head_a], [photo(), photo("二.jpg")], [pdf()],
        form_token="t-1", by=personas.leader)
    assert activity.campaign == world.campaign
    assert activity.unit.code == "bureau"  # the recorder's own unit
    assert set(activity.people.all()) == {personas.leader, personas.head_a}
    assert activity.photos.count() == 2 and activity.files.get().name == "纪要.pdf"
    assert activity.files.get().content_type == "application/pdf"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("day", "message"), [
    ("2026-07-21", "日期不能晚于今天。"),
    ("2026-01-20", "该日期不在任何创建活动期间内。"),
    ("2026-13-01", "日期格式应为 2026-07-01。"),
    ("", "请填写日期。"),
])
def test_a_date_in_the_future_or_outside_every_campaign_is_refused(world, personas, day,
                                                                   message):
    error = refused(visit, personas.leader, day=day)
    assert (error.message, error.field) == (message, "occurred_on")
    assert not Activity.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_each_kind_asks_for_its_own_fields(world, personas, categories):
    leader = personas.leader
    base = {"occurred_on": "2026-07-01", "summary": "摘要"}
    assert refused(actions.record, K.VISIT, base, [leader], by=leader).message == \
        "请填写走访单位/社区。"
    # a volunteer activity is a Party branch's, with its figures not below zero
    error = refused(actions.record, K.VOLUNTEER, {**base, "participants_count": 5,
                                                   "hours": 2}, [leader], by=leader)
    assert error.message == "志愿服务须记在党支部名下，请选择党支部。"
    error = refused(actions.record, K.VOLUNTEER, {**base, "unit": "branch-1",
                                                   "participants_count": -1, "hours": 2},
                    [leader], by=leader)
    assert error.message == "参加人数不能小于 0。"
    error = refused(actions.record, K.VOLUNTEER, {**base, "unit": "branch-1",
                                                   "participants_count": 3, "hours": "-0.5"},
                    [leader], by=leader)
    assert error.message == "服务时长不能小于 0。"
    made = actions.record(K.VOLUNTEER, {**base, "unit": "branch-1", "participants_count": 12,
                                        "hours": "3.5"}, [leader], by=leader)
    assert made.unit == world.branch_1 and str(made.hours) == "3.5"
    # a problem solved names a grassroots demand or a project
    assert refused(actions.record, K.PROBLEM, base, [leader], by=leader).message == \
        "请关联一条基层诉求或一个实事项目。"
    citizen = registered(personas, categories.litter)
    error = refused(actions.record, K.PROBLEM, {**base, "demand": citizen.number}, [leader],
                    by=leader)
    assert "不是基层诉求" in error.message
    from demands.actions.intake import register

    grassroots, _ = register(personas.receiver, intake(categories.litter,
                                                       requester_kind=RequesterKind.GRASSROOTS))
    made = actions.record(K.PROBLEM, {**base, "demand": grassroots.number.lower()}, [leader],
                          by=leader)
    assert made.demand == grassroots
    # a support action names an enterprise
    assert refused(actions.record, K.SUPPORT, base, [leader], by=leader).message == "请选择企业。"
    made = actions.record(K.SUPPORT, {**base, "enterprise": world.enterprise.pk}, [leader],
                          by=leader)
    assert made.enterprise == world.enterprise


@time_machine.travel(NOW, tick=False)
def test_a_recorder_records_for_their_own_unit_only(world, org, personas):
    error = refused(visit, personas.handler_a, unit="shizheng")
    assert error.code == "forbidden" and "市政设施管理处" in error.message
    assert visit(personas.handler_a, unit="huanwei-team").unit == org.team_a  # below: fine
    assert visit(personas.leader, unit="shizheng").unit == org.unit_b  # bureau-wide
    # and a volunteer activity belongs to a branch someone may record for
    error = refused(actions.record, K.VOLUNTEER, {"occurred_on": "2026-07-01", "summary": "x",
                                                  "unit": "branch-2", "participants_count": 1,
                                                  "hours": 1}, [personas.handler_a],
                    by=personas.handler_a)
    assert error.code == "forbidden"
    assert Activity.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_people_must_be_named_and_active(world, personas):
    assert refused(visit, personas.leader, people=["nobody"]).message == \
        "参加人员中有无效或已停用的账号。"
    personas.handler_b.is_active = False
    personas.handler_b.save()
    assert refused(visit, personas.leader, people=[personas.handler_b.pk]).field == "people"
    error = refused(actions.record, K.VISIT, {"occurred_on": "2026-07-01", "visited": "x",
                                              "summary": "x"}, [], by=personas.leader)
    assert error.message == "请选择参加人员。"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("photos", "files", "message"), [
    ([photo(), photo("伪装.jpg", b"MZ\x90\x00 not a picture at all")], [], "伪装.jpg"),
    ([photo("文档.pdf", PDF)], [], "不是 JPEG、PNG 或 WebP 图片"),
    ([], [pdf("表格.exe", b"MZ\x90\x00")], "类型不支持"),
    ([], [pdf("改名.docx", PDF)], "扩展名与内容不符"),
    ([photo()], [pdf(), pdf("空.pdf", b"")], "是空文件"),
])
def test_a_bad_photo_or_file_refuses_the_whole_record(world, personas, photos, files,
                                                      message):
    error = refused(actions.record, K.VISIT, {"occurred_on": "2026-07-18", "visited": "社区",
                                              "summary": "走访"}, [personas.leader], photos,
                    files, by=personas.leader)
    assert message in error.message
    assert not Activity.objects.exists() and not ActivityPhoto.objects.exists()
    assert not ActivityFile.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_photo_too_large_is_refused(world, personas, monkeypatch):
    from lib import photos

    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    error = refused(actions.record, K.VISIT, {"occurred_on": "2026-07-18", "visited": "社区",
                                              "summary": "走访"}, [personas.leader], [photo()],
                    by=personas.leader)
    assert "超过" in error.message and not Activity.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_form_submitted_twice_saves_once(world, personas):
    first = visit(personas.leader, token="abc")
    second = visit(personas.leader, token="abc", visited="另一个社区")
    assert second.pk == first.pk and second.repeated
    assert Activity.objects.count() == 1
    assert visit(personas.leader, token="other").pk != first.pk


@time_machine.travel(NOW, tick=False)
def test_update_and_delete_belong_to_the_recorder_their_head_and_the_office(world, personas):
    activity = visit(personas.handler_a, people=[personas.handler_a], token="u")
    assert refused(actions.update, activity, {"occurred_on": "2026-07-19", "visited": "x",
                                              "summary": "x"}, [personas.handler_b],
                   by=personas.handler_b).code == "forbidden"
    assert refused(actions.delete, activity, by=personas.leader).code == "forbidden"
    changed = actions.update(activity, {"occurred_on": "2026-07-19", "visited": "新社区",
                                        "summary": "补充"},
                             [personas.handler_a, personas.head_a], [photo()],
                             by=personas.head_a)
    assert (changed.visited, changed.occurred_on) == ("新社区", D(2026, 7, 19))
    assert changed.people.count() == 2 and changed.photos.count() == 1
    # a bad change leaves the record as it was
    error = refused(actions.update, changed, {"occurred_on": "2026-08-01", "visited": "x",
                                              "summary": "x"}, [personas.handler_a],
                    by=personas.handler_a)
    assert error.message == "日期不能晚于今天。"
    assert Activity.objects.get().visited == "新社区"
    actions.update(changed, {"occurred_on": "2026-07-19", "visited": "新社区", "summary": "补充"},
                   [personas.handler_a], by=personas.handler_a,
                   remove_photos=[changed.photos.get().pk])
    assert not ActivityPhoto.objects.exists()
    actions.delete(changed, by=world.office)
    assert not Activity.objects.exists()


# --- the console ---------------------------------------------------------------------------
@pytest.fixture
def records(world, org, personas):
    """One record of unit A (by its handler, naming the unit head), one of unit B."""
    with time_machine.travel(NOW, tick=False):
        a = actions.record(K.VISIT, {"occurred_on": "2026-07-10", "visited": "环卫社区",
                                     "summary": "甲单位走访"},
                           [personas.handler_a, personas.head_a], [photo()], [pdf()],
                           by=personas.handler_a)
        b = actions.record(K.VISIT, {"occurred_on": "2026-07-11", "visited": "市政社区",
                                     "summary": "乙单位走访"}, [personas.handler_b],
                           by=personas.handler_b)
    return a, b


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"console:{name}", args=args), params)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("who", "sees_a", "sees_b"), [
    ("handler_a", True, False), ("head_a", True, False), ("handler_b", False, True),
    ("supervisor", True, True), ("leader", True, True), ("office", True, True),
    ("receiver", False, False),  # bureau-wide for demands, not for records
])
def test_who_sees_which_records(client, world, personas, records, who, sees_a, sees_b):
    user = getattr(world, who, None) or getattr(personas, who)
    a, b = records
    listing = _get(client, user, "activities").content.decode()
    assert ("甲单位走访" in listing or "环卫社区" in listing) == sees_a
    assert ("市政社区" in listing) == sees_b
    for record, seen in ((a, sees_a), (b, sees_b)):
        assert _get(client, user, "activity", record.pk).status_code == (200 if seen else 404)
        file = record.files.first()
        if file is not None:
            response = _get(client, user, "activity_file", record.pk, file.pk)
            assert response.status_code == (200 if seen else 404)
            if seen:
                assert b"".join(response.streaming_content) == PDF
                assert "attachment" in response["Content-Disposition"]


@time_machine.travel(NOW, tick=False)
def test_a_person_named_on_a_record_of_another_unit_sees_it(client, world, personas, org):
    record = visit(personas.leader, people=[personas.leader, personas.handler_b], unit="huanwei")
    assert _get(client, personas.handler_b, "activity", record.pk).status_code == 200
    assert _get(client, personas.handler_b, "activity_edit", record.pk).status_code == 403


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("who", "may"), [
    ("handler_a", True), ("head_a", True), ("office", True), ("party", True),
    ("leader", False), ("supervisor", False),
])
def test_who_may_edit_and_delete(client, world, personas, records, who, may):
    user = getattr(world, who, None) or getattr(personas, who)
    a, _b = records
    page = _get(client, user, "activity", a.pk)
    assert (b'data-testid="edit"' in page.content) == may
    assert _get(client, user, "activity_edit", a.pk).status_code == (200 if may else 403)
    response = client.post(reverse("console:activity_delete", args=[a.pk]))
    assert response.status_code == (302 if may else 403)
    assert Activity.objects.filter(pk=a.pk).exists() != may


@time_machine.travel(NOW, tick=False)
def test_the_list_filters_by_kind_unit_person_and_month(client, world, personas, records):
    actions.record(K.VOLUNTEER, {"occurred_on": "2026-06-05", "unit": "branch-1",
                                 "summary": "支部志愿服务", "participants_count": 8, "hours": 2},
                   [world.party], by=world.party)
    page = _get(client, world.office, "activities", kind="volunteer").content.decode()
    assert "支部志愿服务" in page and "环卫社区" not in page
    page = _get(client, world.office, "activities", unit="shizheng").content.decode()
    assert "市政社区" in page and "环卫社区" not in page
    page = _get(client, world.office, "activities", person="head_a").content.decode()
    assert "环卫社区" in page and "市政社区" not in page
    page = _get(client, world.office, "activities", month="2026-06").content.decode()
    assert "支部志愿服务" in page and "环卫社区" not in page
    page = _get(client, world.office, "activities", month="六月").content.decode()
    assert "月份格式应为 2026-07。" in page


@time_machine.travel(NOW, tick=False)
def test_the_record_form_posts_once_and_refuses_bad_input_in_chinese(client, world, personas):
    page = _get(client, personas.leader, "activity_create", kind="visit").content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert 'type="date"' in page and 'max="2026-07-20"' in page
    token = page.split('name="form_token" value="')[1].split('"')[0]
    data = {"kind": "visit", "occurred_on": "2026-07-21", "unit": "bureau",
            "people": [str(personas.leader.pk)], "visited": "幸福社区", "summary": "走访",
            "form_token": token}
    response = client.post(reverse("console:activity_create"), data)
    assert response.status_code == 400
    assert "日期不能晚于今天。" in response.content.decode()
    data["occurred_on"] = "2026-07-20"
    first = client.post(reverse("console:activity_create"), {**data, "photo_files": photo()})
    again = client.post(reverse("console:activity_create"), {**data, "photo_files": photo()})
    record = Activity.objects.get()
    assert first["Location"] == again["Location"] == reverse("console:activity",
                                                             args=[record.pk])
    assert record.photos.count() == 1
    detail = client.get(first["Location"]).content.decode()
    assert "幸福社区" in detail and record.photos.get().thumb.url in detail
    assert record.photos.get().phone.url in detail


@time_machine.travel(NOW, tick=False)
def test_a_volunteer_form_offers_only_branches(client, world, personas):
    def units(user):
        page = _get(client, user, "activity_create", kind="volunteer").content.decode()
        return page.split('name="unit"')[1].split("</select>")[0]

    assert "机关第一党支部" in units(world.party) and "环境卫生管理处" not in units(world.party)
    assert "机关第一党支部" not in units(personas.handler_a)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for name, args in (("activities", []), ("activity_create", []), ("activity", [1]),
                       ("activity_edit", [1]), ("activity_file", [1, 1])):
        response = client.get(reverse(f"console:{name}", args=args))
        assert response.status_code == 302 and "/login/" in response["Location"]


@time_machine.travel(NOW, tick=False)
def test_the_unit_head_corrects_a_record_in_the_console(client, world, personas, records):
    a, _b = records
    client.force_login(personas.head_a)
    page = client.get(reverse("console:activity_edit", args=[a.pk])).content.decode()
    assert 'value="环卫社区"' in page and "已上传的照片" in page
    photo_pk = a.photos.get().pk
    response = client.post(reverse("console:activity_edit", args=[a.pk]), {
        "occurred_on": "2026-07-12", "unit": "huanwei", "visited": "环卫社区（复访）",
        "summary": "补充了座谈内容。", "people": [str(personas.head_a.pk)],
        "remove_photos": [str(photo_pk)]})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.visited, a.occurred_on) == ("环卫社区（复访）", D(2026, 7, 12))
    assert list(a.people.all()) == [personas.head_a] and not a.photos.exists()
    assert a.files.count() == 1  # not ticked: kept
    response = client.post(reverse("console:activity_edit", args=[a.pk]), {
        "occurred_on": "2026-01-01", "unit": "huanwei", "visited": "x", "summary": "x",
        "people": [str(personas.head_a.pk)]})
    assert response.status_code == 400
    assert "该日期不在任何创建活动期间内。" in response.content.decode()
