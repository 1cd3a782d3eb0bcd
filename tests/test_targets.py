"""Targets and progress (issue #12): who a target is for, what counts for whom, pace
across a year (a leap year too), a record deleted after counting, the targets page with
its bars, sorting, filter and Excel export in a fixed number of queries, target editing
with Chinese refusals, the campaign-copy hook and the home page's pace alerts."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities import actions, progress
from activities.models import Activity, ActivityKind, Target, TargetSubject
from campaigns.models import Campaign, GroupPosition, LeadingGroupMember
from campaigns.signals import campaign_copied
from lib.errors import ActionError
from org.models import Role, RoleAssignment, StaffProfile, Unit, UnitKind

from .conftest import make_staff

D = dt.date
K = ActivityKind
S = TargetSubject
TZ = dt.timezone(dt.timedelta(hours=8))


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=TZ)


@pytest.fixture
def party(org):
    unit = Unit.objects.create(code="party", name="机关党委", kind=UnitKind.OFFICE,
                               parent=org.bureau)
    branches = [Unit.objects.create(code=f"branch-{n}", name=f"机关第{n}党支部",
                                    kind=UnitKind.BRANCH, parent=unit) for n in (1, 2)]
    office = make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))
    return unit, branches, office


def campaign_of(year: int, org, code=None) -> Campaign:
    return Campaign.objects.create(code=code or f"c{year}", name=f"{year}年三满意活动",
                                   starts_on=D(year, 1, 1), ends_on=D(year, 12, 31),
                                   office_unit=org.supervision)


def target(campaign, kind=K.VISIT, count=6, subject=S.ROLE, **extra) -> Target:
    values = {"role": Role.LEADER} if subject == S.ROLE else {}
    values.update(extra)
    return Target.objects.create(campaign=campaign, label=f"{kind}-{subject}-{count}",
                                 kind=kind, count=count, subject=subject,
                                 period_start=campaign.starts_on, period_end=campaign.ends_on,
                                 **values)


def record(day, by, people=None, kind=K.VISIT, unit=None) -> Activity:
    with time_machine.travel(noon(day), tick=False):
        fields = {"occurred_on": day, "summary": "记录", "visited": "社区",
                  "unit": unit, "participants_count": 3, "hours": 1,
                  "enterprise": None}
        return actions.record(kind, fields, people or [by], by=by)


def row_of(rows, user=None, unit=None):
    (found,) = [r for r in rows if (user is not None and r.assignee.user_id == user.pk)
                or (unit is not None and r.assignee.unit_id == unit.pk)]
    return found


# --- assignees -----------------------------------------------------------------------------
def test_subjects_expand_to_people_and_units(org, personas, party):
    _unit, (b1, b2), office = party
    campaign = campaign_of(2026, org)
    leader2 = make_staff("leader2", "吴副局长", org.bureau, (Role.LEADER, None))
    gone = make_staff("leader3", "已调离", org.bureau, (Role.LEADER, None))
    gone.is_active = False
    gone.save()
    LeadingGroupMember.objects.create(campaign=campaign, user=personas.leader,
                                      position=GroupPosition.LEADER)
    LeadingGroupMember.objects.create(campaign=campaign, user=office,
                                      position=GroupPosition.MEMBER)
    by_role = target(campaign)
    group = target(campaign, subject=S.GROUP)
    person = target(campaign, subject=S.PERSON, user=personas.head_a)
    unit = target(campaign, subject=S.UNIT, unit=org.unit_a)
    branches = target(campaign, kind=K.VOLUNTEER, subject=S.BRANCHES)
    expanded = progress.expand([by_role, group, person, unit, branches])
    users = {pk: {a.user_id for a in found} for pk, found in expanded.items()}
    assert users[by_role.pk] == {personas.leader.pk, leader2.pk}  # not the inactive one
    assert users[group.pk] == {personas.leader.pk, office.pk}
    assert users[person.pk] == {personas.head_a.pk}
    assert [a.unit_id for a in expanded[unit.pk]] == [org.unit_a.pk]
    assert [a.unit_id for a in expanded[branches.pk]] == [b1.pk, b2.pk]
    assert progress.assignees(person)[0].unit_name == org.unit_a.display_name


# --- what counts for whom ------------------------------------------------------------------
def test_a_visit_counts_for_each_person_on_it_and_nobody_else(org, personas):
    campaign = campaign_of(2026, org)
    make_staff("leader2", "吴副局长", org.bureau, (Role.LEADER, None))
    goal = target(campaign)
    head = target(campaign, subject=S.PERSON, user=personas.head_a)
    record(D(2026, 3, 2), personas.leader, [personas.leader, personas.head_a])
    record(D(2026, 3, 9), personas.head_a, [personas.head_a])  # head_a recorded, alone
    record(D(2026, 3, 9), personas.head_a, [personas.leader])  # recorded for the leader
    rows = progress.rows([goal, head], D(2026, 4, 1))
    assert row_of([r for r in rows if r.target == goal], personas.leader).done == 2
    leader2 = get_user_model().objects.get(username="leader2")
    assert row_of([r for r in rows if r.target == goal], leader2).done == 0
    assert row_of([r for r in rows if r.target == head], personas.head_a).done == 2


def test_a_branchs_volunteer_activity_never_counts_for_another(org, personas, party):
    _unit, (b1, b2), office = party
    campaign = campaign_of(2026, org)
    goal = target(campaign, kind=K.VOLUNTEER, subject=S.BRANCHES)
    for day in (D(2026, 2, 1), D(2026, 5, 1)):
        record(day, office, kind=K.VOLUNTEER, unit=b1.code)
    record(D(2026, 5, 2), personas.leader, kind=K.VISIT)  # another kind: not counted
    rows = progress.rows([goal], D(2026, 6, 1))
    assert (row_of(rows, unit=b1).done, row_of(rows, unit=b2).done) == (2, 0)


def test_only_the_targets_kind_and_period_count(org, personas):
    campaign = campaign_of(2026, org)
    first_half = Target.objects.create(campaign=campaign, label="上半年", kind=K.VISIT, count=3,
                                       subject=S.PERSON, user=personas.leader,
                                       period_start=D(2026, 1, 1), period_end=D(2026, 6, 30))
    record(D(2026, 6, 30), personas.leader)
    record(D(2026, 7, 1), personas.leader)
    with time_machine.travel(noon(D(2026, 7, 2)), tick=False):
        actions.record(K.SUPPORT, {"occurred_on": D(2026, 5, 1), "summary": "x",
                                   "enterprise": _enterprise().pk}, [personas.leader],
                       by=personas.leader)
    (row,) = progress.rows([first_half], D(2026, 12, 31))
    assert row.done == 1 and row.behind and row.pace.required == 3


def _enterprise():
    from enterprises.models import Enterprise

    return Enterprise.objects.get_or_create(name="测试企业")[0]


# --- pace across a year ---------------------------------------------------------------------
@pytest.mark.parametrize("year", [2024, 2026])  # 2024 has 366 days
def test_pace_across_a_year_and_a_record_deleted_after_counting(org, personas, year):
    campaign = campaign_of(year, org)
    goal = target(campaign)
    leader = personas.leader

    def status(day):
        with time_machine.travel(noon(day), tick=False):
            (row,) = progress.rows([goal])
            return row.done, row.pace.required, row.pace.status

    assert status(D(year, 1, 1)) == (0, 0, "not_started")
    first = record(D(year, 1, 20), leader)
    assert status(D(year, 2, 1)) == (1, 1, "on_pace")  # 6 × 32/365 = 0.53 → 1
    # 29 February exists in 2024 only; 1 March is day 61 of a leap year, 60 otherwise
    assert status(D(year, 3, 1))[1] == 1
    record(D(year, 4, 2), leader)
    # 1 July: 6 × 183/366 = 3 exactly in 2024; 6 × 182/365 = 2.99 → 3 in 2026
    assert status(D(year, 7, 1)) == (2, 3, "behind")
    record(D(year, 7, 1), leader)
    assert status(D(year, 7, 1)) == (3, 3, "on_pace")
    actions.delete(first, by=leader)
    assert status(D(year, 7, 1)) == (2, 3, "behind")  # deleted: no longer counted
    for month in (8, 9, 10, 11):
        record(D(year, month, 3), leader)
    assert status(D(year, 12, 31)) == (6, 6, "done")
    assert status(D(year + 1, 1, 15)) == (6, 6, "done")  # after the period: the full count


def test_a_leap_years_middle_day(org, personas):
    campaign = campaign_of(2024, org)
    goal = target(campaign, count=2)
    # 2 × 183/366 = 1.0 on 1 July 2024; 2 × 182/366 = 0.995 → 1 on 30 June (half up)
    (row,) = progress.rows([goal], D(2024, 6, 30))
    assert row.pace.required == 1
    (row,) = progress.rows([goal], D(2024, 3, 31))  # 91/366 × 2 = 0.497 → 0
    assert row.pace.required == 0


# --- targets: actions -------------------------------------------------------------------------
@pytest.mark.parametrize(("count", "message"), [
    (0, "次数必须是正整数。"), (-3, "次数必须是正整数。"), ("六", "次数必须是正整数。"),
])
def test_a_target_count_must_be_a_positive_integer(org, party, count, message):
    _unit, _branches, office = party
    campaign = campaign_of(2026, org)
    with pytest.raises(ActionError) as caught:
        actions.save_target(campaign, {"label": "x", "kind": K.VISIT, "count": count,
                                       "subject": S.ROLE, "role": Role.LEADER}, by=office)
    assert (caught.value.message, caught.value.field) == (message, "count")
    assert not Target.objects.exists()


def test_a_targets_period_lies_inside_the_campaign(org, party, personas):
    _unit, _branches, office = party
    campaign = campaign_of(2026, org)
    fields = {"label": "x", "kind": K.VISIT, "count": 2, "subject": S.ROLE,
              "role": Role.LEADER, "period_start": "2025-12-01"}
    with pytest.raises(ActionError) as caught:
        actions.save_target(campaign, fields, by=office)
    assert caught.value.message.startswith("目标期间必须在活动起止日期之内")
    with pytest.raises(ActionError) as caught:
        actions.save_target(campaign, {**fields, "period_start": "2026-05-01",
                                       "period_end": "2026-04-01"}, by=office)
    assert caught.value.message == "截止日期不能早于起始日期。"
    made = actions.save_target(campaign, {**fields, "period_start": ""}, by=office)
    assert (made.period_start, made.period_end) == (campaign.starts_on, campaign.ends_on)
    with pytest.raises(ActionError) as caught:
        actions.save_target(campaign, fields, by=personas.leader)
    assert caught.value.code == "forbidden"
    actions.delete_target(made, by=office)
    assert not Target.objects.exists()


def test_a_copied_campaign_gets_the_targets_with_shifted_periods(org, personas):
    source = campaign_of(2024, org)
    Target.objects.create(campaign=source, label="上半年", kind=K.VISIT, count=3,
                          subject=S.PERSON, user=personas.leader,
                          period_start=D(2024, 2, 29), period_end=D(2024, 6, 30))
    target(source, kind=K.VOLUNTEER, subject=S.BRANCHES)
    copy = campaign_of(2025, org)

    def shift(day):
        try:
            return day.replace(year=day.year + 1)
        except ValueError:  # 29 February → 28 February
            return day.replace(year=day.year + 1, day=28)

    campaign_copied.send(sender=Campaign, source=source, copy=copy, shift=shift)
    copied = {t.label: t for t in copy.targets.all()}
    assert (copied["上半年"].period_start, copied["上半年"].period_end) == \
        (D(2025, 2, 28), D(2025, 6, 30))
    assert copied["上半年"].user == personas.leader and copied["上半年"].count == 3
    assert source.targets.count() == 2  # the source keeps its own


# --- the targets page --------------------------------------------------------------------------
@pytest.fixture
def page_world(org, personas, party):
    _unit, (_b1, _b2), office = party
    campaign = campaign_of(2026, org)
    leader2 = make_staff("leader2", "吴副局长", org.bureau, (Role.LEADER, None))
    visits = target(campaign, count=6)
    heads = target(campaign, count=4, subject=S.PERSON, user=personas.head_a)
    unit_b = target(campaign, count=2, subject=S.UNIT, unit=org.unit_b)
    for day in (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1)):
        record(day, personas.leader)
    record(D(2026, 5, 2), personas.handler_b, unit=org.unit_b.code)
    return campaign, visits, heads, unit_b, leader2, office


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("console:targets"), params)


@time_machine.travel(noon(D(2026, 7, 20)), tick=False)
def test_the_page_shows_bars_pace_marks_and_statuses(client, page_world, personas):
    _campaign, visits, _heads, _unit_b, leader2, office = page_world
    page = _page(client, office).content.decode()
    section = page.split(f'data-target="{visits.pk}"')[1].split("</section>")[0]
    leader_row = section.split(f'data-assignee="u{personas.leader.pk}"')[1].split("</tr>")[0]
    assert '<span data-testid="done">4</span> / 6' in leader_row
    assert 'style="width: 67%"' in leader_row  # 4 of 6
    # 20 July is day 201 of 365: 6 × 201/365 = 3.3 → 3 required; the mark at 50%
    assert 'style="left: 50%"' in leader_row and "进度正常" in leader_row
    other = section.split(f'data-assignee="u{leader2.pk}"')[1].split("</tr>")[0]
    assert "吴副局长" in other and "进度滞后" in other
    assert "1 个滞后" in section


@time_machine.travel(noon(D(2026, 7, 20)), tick=False)
def test_sorting_and_the_behind_filter(client, page_world, personas):
    _campaign, visits, *_rest, office = page_world
    def names(**params):
        page = _page(client, office, target=visits.pk, **params).content.decode()
        return [part.split("</span>")[0] for part in
                page.split('data-testid="assignee">')[1:]]

    assert names(sort="done") == ["吴副局长", "钱局长"]
    assert names(sort="done", dir="desc") == ["钱局长", "吴副局长"]
    assert names(sort="status") == ["吴副局长", "钱局长"]  # behind first
    assert names(sort="percent", dir="desc") == ["钱局长", "吴副局长"]
    assert names(behind="1") == ["吴副局长"]
    page = _page(client, office, sort="name", dir="desc").content.decode()
    assert 'aria-sort="descending"' in page


@time_machine.travel(noon(D(2026, 7, 20)), tick=False)
@pytest.mark.parametrize(("who", "sees", "hidden"), [
    ("office", ["钱局长", "王处长", "市政设施管理处"], []),
    ("leader", ["钱局长", "吴副局长", "王处长", "市政设施管理处"], []),
    ("head_a", ["王处长"], ["钱局长", "市政设施管理处"]),
    ("handler_b", ["市政设施管理处"], ["钱局长", "王处长"]),
    ("receiver", [], ["钱局长", "王处长", "市政设施管理处"]),
])
def test_rows_are_scoped_like_records(client, page_world, personas, who, sees, hidden):
    *_rest, office = page_world
    user = office if who == "office" else getattr(personas, who)
    page = _page(client, user).content.decode()
    assert page.count('data-testid="target"') == 3  # every target is listed
    assignees = " ".join(part.split("</span>")[0]
                         for part in page.split('data-testid="assignee">')[1:])
    for name in sees:
        assert name in assignees, name
    for name in hidden:
        assert name not in assignees, name


@time_machine.travel(noon(D(2026, 7, 20)), tick=False)
def test_the_excel_export_reads_back(client, page_world, personas):
    *_rest, office = page_world
    client.force_login(office)
    response = client.get(reverse("console:targets_export"), {"behind": "1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:6] == ("目标任务", "活动类型", "期间", "对象", "单位", "已完成")
    by_name = {row[3]: row for row in rows[1:]}
    assert by_name["吴副局长"][5:] == (0, 3, 6, "0%", "进度滞后")
    assert "钱局长" not in by_name  # only those behind, as filtered


@time_machine.travel(noon(D(2026, 7, 20)), tick=False)
@pytest.mark.parametrize(("who", "may"), [
    ("office", True), ("party", True), ("leader", False), ("head_a", False),
    ("handler_a", False), ("supervisor", False),
])
def test_who_may_set_targets(client, page_world, personas, org, who, may):
    campaign, visits, *_rest, office = page_world
    if who == "party":
        user = make_staff("party", "陈书记", org.bureau, (Role.PARTY, None))
    else:
        user = office if who == "office" else getattr(personas, who)
    client.force_login(user)
    assert client.get(reverse("console:targets")).status_code == 200
    assert client.get(reverse("console:targets_export")).status_code == 200
    create = reverse("console:target_create") + f"?campaign={campaign.code}"
    assert client.get(create).status_code == (200 if may else 403)
    edit = reverse("console:target_edit", args=[visits.pk])
    assert client.get(edit).status_code == (200 if may else 403)
    data = {"label": "每位党组成员下基层", "kind": K.VISIT, "count": "0", "subject": S.ROLE,
            "role": Role.LEADER}
    response = client.post(create, data)
    assert response.status_code == (400 if may else 403)
    if may:
        assert "次数必须是正整数。" in response.content.decode()
        response = client.post(create, {**data, "count": "6"})
        assert response.status_code == 302
        assert Target.objects.filter(label="每位党组成员下基层", campaign=campaign).exists()
    delete = reverse("console:target_delete", args=[visits.pk])
    assert client.post(delete).status_code == (302 if may else 403)
    assert Target.objects.filter(pk=visits.pk).exists() != may


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for name, args in (("targets", []), ("targets_export", []), ("target_create", []),
                       ("target_edit", [1]), ("target_delete", [1])):
        response = client.get(reverse(f"console:{name}", args=args))
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- a fixed number of queries ------------------------------------------------------------------
def _crowd(org, campaign, people: int, records: int):
    """``people`` leaders and ``records`` visits naming them, written in bulk."""
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"p{n:04d}") for n in range(people)])
    StaffProfile.objects.bulk_create([
        StaffProfile(user=user, unit=org.unit_a, full_name=f"干部{n:04d}", post="干部",
                     badge_number=f"B{n:05d}") for n, user in enumerate(users)])
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=Role.LEADER)
                                        for user in users])
    LeadingGroupMember.objects.bulk_create([
        LeadingGroupMember(campaign=campaign, user=user, position=GroupPosition.MEMBER)
        for user in users])
    now = timezone.now()
    made = Activity.objects.bulk_create([
        Activity(kind=K.VISIT if n % 3 else K.VOLUNTEER, campaign=campaign,
                 occurred_on=campaign.starts_on + dt.timedelta(days=n % 200),
                 unit=org.unit_a, summary="走访", created_by=users[0], created_at=now,
                 updated_at=now) for n in range(records)])
    Activity.people.through.objects.bulk_create([
        Activity.people.through(activity_id=activity.pk, user_id=users[n % people].pk)
        for n, activity in enumerate(made)])


# session, user, grants, campaign, targets, role holders, leading group, people, units,
# the two grouped counts (by person, by unit), the campaigns to choose from; the top bar's
# unread count and identity (2); the session saved (3)
TARGETS_PAGE_QUERIES = 18


@time_machine.travel(noon(D(2026, 7, 20)), tick=False)
@pytest.mark.parametrize(("people", "records"), [(5, 20), (100, 5000)])
def test_the_targets_page_costs_a_fixed_number_of_queries(client, org, party, people,
                                                          records, django_assert_num_queries):
    _unit, _branches, office = party
    campaign = campaign_of(2026, org)
    target(campaign)
    target(campaign, subject=S.GROUP, count=12)
    target(campaign, kind=K.VOLUNTEER, subject=S.BRANCHES)
    target(campaign, kind=K.VOLUNTEER, subject=S.UNIT, unit=org.unit_a)
    Target.objects.create(campaign=campaign, label="下半年", kind=K.VISIT, count=3,
                          subject=S.ROLE, role=Role.LEADER, period_start=D(2026, 7, 1),
                          period_end=D(2026, 12, 31))
    _crowd(org, campaign, people, records)
    client.force_login(office)
    with django_assert_num_queries(TARGETS_PAGE_QUERIES):
        response = client.get(reverse("console:targets"), {"sort": "status"})
    assert response.content.decode().count('data-testid="row"') == 3 * people + 2 + 1
    (row,) = list(progress.rows([Target.objects.get(subject=S.UNIT)]))
    assert row.done == records // 3 + (1 if records % 3 else 0)


# --- the home page's pace alerts ------------------------------------------------------------------
@time_machine.travel(noon(D(2026, 7, 20)), tick=False)
def test_the_home_page_tells_who_is_behind(client, page_world, personas):
    campaign, _visits, _heads, _unit_b, leader2, _office = page_world

    def alerts(user):
        client.force_login(user)
        page = client.get(reverse("console:home")).content.decode()
        found = {key: int(count) for key, count in re.findall(
            r'data-testid="pace-(mine|people|bureau)">.*?data-testid="pace-count">(\d+)<',
            page, re.S)}
        return found, page

    # the head of unit A: their own target (4 by year end; 2 required now) is behind
    found, page = alerts(personas.head_a)
    assert found == {"mine": 1, "people": 0}
    assert f"?campaign={campaign.code}&amp;behind=1&amp;mine=1" in page
    found, _page = alerts(leader2)
    # leader2 (0 of 3 required) and head_a (0 of 2); unit B's 1 of 2 is on pace (1 required)
    assert found == {"mine": 1, "bureau": 2}
    found, _page = alerts(personas.leader)
    assert found == {"mine": 0, "bureau": 2}
    found, _page = alerts(personas.handler_a)
    assert found == {"mine": 0}
    # a handler of unit A is behind on a personal target: their head is told
    Target.objects.create(campaign=campaign, label="承办人走访", kind=K.VISIT, count=2,
                          subject=S.PERSON, user=personas.handler_a,
                          period_start=campaign.starts_on, period_end=campaign.ends_on)
    assert alerts(personas.head_a)[0] == {"mine": 1, "people": 1}
    assert alerts(personas.handler_a)[0] == {"mine": 1}
