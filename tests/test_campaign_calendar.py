"""The campaign calendar (a month of phases, deadlines, pace and records) and the
per-person iCalendar feed of deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities import calendar
from activities.models import Activity, ActivityKind, Target, TargetSubject
from campaigns.models import Campaign, Filing, FilingVersion, Phase, Requirement, RequirementKind
from org.models import Role, Unit, UnitKind

D = dt.date
NOW = dt.datetime(2026, 7, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def campaign(org, personas):
    campaign = Campaign.objects.create(code="c2026", name="争创“三满意”机关活动",
                                       starts_on=D(2026, 1, 28), ends_on=D(2026, 12, 31),
                                       office_unit=org.supervision)
    campaign.participants.set([org.unit_a, org.unit_b])
    Phase.objects.create(campaign=campaign, order=1, name="动员部署",
                         starts_on=D(2026, 1, 28), ends_on=D(2026, 2, 10))
    push = Phase.objects.create(campaign=campaign, order=2, name="集中推进",
                                starts_on=D(2026, 2, 11), ends_on=D(2026, 7, 31))
    Requirement.objects.create(phase=push, kind=RequirementKind.PLAN, title="实施方案",
                               due_on=D(2026, 7, 10))
    Requirement.objects.create(phase=push, kind=RequirementKind.MONTHLY, title="月度进展",
                               due_day=5)
    Target.objects.create(campaign=campaign, label="每位党组成员每年下基层不少于6次",
                          kind=ActivityKind.VISIT, count=6, subject=TargetSubject.ROLE,
                          role=Role.LEADER, period_start=D(2026, 1, 28),
                          period_end=D(2026, 12, 31))
    return campaign


def _file(requirement, unit, by, period=None, late=False):
    period = period or requirement.due_on
    filing = Filing.objects.create(requirement=requirement, unit=unit, period=period,
                                   due_on=requirement.due_on or period, late=late,
                                   first_filed_at=timezone.now())
    version = FilingVersion.objects.create(filing=filing, number=1, goals="目标", filed_by=by,
                                           filed_at=timezone.now())
    filing.current = version
    filing.save()
    return filing


def _record(campaign, unit, day, person, kind=ActivityKind.VISIT):
    now = timezone.now()
    activity = Activity.objects.create(kind=kind, campaign=campaign, occurred_on=day,
                                       unit=unit, summary="走访", visited="幸福社区",
                                       created_by=person, created_at=now, updated_at=now)
    activity.people.add(person)
    return activity


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("console:campaign_calendar"), params)


@time_machine.travel(NOW)
def test_a_unit_head_sees_their_units_deadline_status_and_the_leader_the_count(
        client, campaign, org, personas):
    plan = Requirement.objects.get(kind=RequirementKind.PLAN)
    _file(plan, org.unit_a, personas.head_a)
    page = _page(client, personas.head_a, month="2026-07").content.decode()
    assert "截止：实施方案" in page
    assert "环境卫生管理处：已报送" in page
    assert "市政设施管理处" not in page  # another unit's status is not theirs to see
    client.logout()
    page = _page(client, personas.leader, month="2026-07").content.decode()
    assert "已报 1/2 个单位" in page
    assert "集中推进阶段结束" in page


@time_machine.travel(NOW)
def test_a_missing_filing_past_its_due_date_is_marked_late(client, campaign, org, personas):
    page = _page(client, personas.head_a, month="2026-07").content.decode()
    assert "环境卫生管理处：逾期未报" in page
    # the June report is due on 5 July, also missed
    assert "截止：月度进展（6月）" in page


@time_machine.travel(NOW)
def test_activities_are_counted_per_day_within_the_viewers_scope(client, campaign, org,
                                                                 personas):
    for day in (3, 3, 15):
        _record(campaign, org.unit_a, D(2026, 7, day), personas.head_a)
    page = _page(client, personas.head_a, month="2026-07").content.decode()
    assert "下基层走访 2 次" in page and "下基层走访 1 次" in page
    assert "下基层走访：3 次" in page  # the month's total
    client.logout()
    other = _page(client, personas.handler_b, month="2026-07").content.decode()
    assert "下基层走访" not in other  # unit B does not see unit A's records


@time_machine.travel(NOW)
def test_the_pace_checkpoint_at_the_end_of_july(client, campaign, personas):
    month = calendar.month(campaign, D(2026, 7, 1), personas.leader)
    (checkpoint,) = month.checkpoints
    # 28 Jan … 31 Jul is 185 of 338 days: 6 × 185 / 338 = 3.28 → 3
    assert (checkpoint.by, checkpoint.required) == (D(2026, 7, 31), 3)
    assert checkpoint.mine[0].done == 0 and checkpoint.mine[0].behind  # 20 July: 2 required
    _record(campaign, personas.leader.staff.unit, D(2026, 7, 3), personas.leader)
    (mine,) = calendar.month(campaign, D(2026, 7, 1), personas.leader).checkpoints[0].mine
    assert (mine.done, mine.pace.label) == (1, "进度滞后")
    assert calendar.month(campaign, D(2026, 7, 1), personas.head_a).checkpoints[0].mine == []
    page = _page(client, personas.leader, month="2026-07").content.decode()
    assert "1 / 6 · 进度滞后" in page
    assert month.previous == D(2026, 6, 1) and month.following == D(2026, 8, 1)
    assert calendar.month(campaign, D(2026, 1, 1), personas.leader).previous is None
    assert calendar.month(campaign, D(2026, 12, 1), personas.leader).following is None


@time_machine.travel(NOW)
def test_a_bad_or_outside_month_falls_back_with_a_chinese_warning(client, campaign, personas):
    page = _page(client, personas.leader, month="七月").content.decode()
    assert "月份格式应为" in page and "2026年7月" in page
    page = _page(client, personas.leader, month="2030-01").content.decode()
    assert "不在活动期间内" in page and "2026年12月" in page


def test_anonymous_is_sent_to_sign_in(client, campaign):
    response = client.get(reverse("console:campaign_calendar"))
    assert response.status_code == 302 and "login" in response["Location"]


@time_machine.travel(NOW)
def test_the_month_costs_the_same_with_100_people_and_5000_records(
        client, campaign, org, personas, django_assert_num_queries):
    client.force_login(personas.leader)
    url = reverse("console:campaign_calendar") + "?month=2026-07"
    client.get(url)  # warm the session

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    plan = Requirement.objects.get(kind=RequirementKind.PLAN)
    for n in range(20):
        unit = Unit.objects.create(code=f"u{n}", name=f"单位{n}", kind=UnitKind.OFFICE,
                                   parent=org.bureau)
        campaign.participants.add(unit)
        _file(plan, unit, personas.leader)
    # 100 people with the leader role and 5,000 records of theirs over the month
    from django.contrib.auth import get_user_model

    from org.models import RoleAssignment

    people = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"p{n}") for n in range(100)])
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=person, role=Role.LEADER) for person in people])
    now = timezone.now()
    records = Activity.objects.bulk_create([
        Activity(kind=ActivityKind.VISIT, campaign=campaign, occurred_on=D(2026, 7, 1 + n % 31),
                 unit=org.unit_a, summary="走访", visited="社区", created_by=personas.leader,
                 created_at=now, updated_at=now) for n in range(5000)])
    Activity.people.through.objects.bulk_create([
        Activity.people.through(activity_id=record.pk, user_id=people[n % 100].pk)
        for n, record in enumerate(records)])
    assert count() == before


@time_machine.travel(NOW)
def test_the_ics_feed_lists_a_persons_deadlines_and_needs_its_secret(client, campaign, org,
                                                                     personas):
    token = calendar.feed_token(personas.head_a)
    response = client.get(reverse("console:calendar_ics", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    feed = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in feed.walk("VEVENT")}
    assert "报送截止：实施方案" in events
    assert events["报送截止：实施方案"].decoded("dtstart") == D(2026, 7, 10)
    assert "争创“三满意”机关活动：集中推进阶段" in events
    assert not any(s.startswith("目标截止") for s in events)  # head_a is not a leader

    leader_feed = Calendar.from_ical(client.get(reverse(
        "console:calendar_ics", args=[calendar.feed_token(personas.leader)])).content)
    summaries = {str(e["summary"]) for e in leader_feed.walk("VEVENT")}
    assert "目标截止：每位党组成员每年下基层不少于6次" in summaries
    assert not any(s.startswith("报送截止") for s in summaries)  # files for no unit

    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(reverse("console:calendar_ics", args=[forged])).status_code == 404
    personas.head_a.set_password("Another-Horse-2026")
    personas.head_a.save()
    assert client.get(reverse("console:calendar_ics", args=[token])).status_code == 404


@time_machine.travel(NOW)
def test_a_filed_deadline_says_so_and_keeps_its_uid(client, campaign, org, personas):
    url = reverse("console:calendar_ics", args=[calendar.feed_token(personas.head_a)])

    def plan_event():
        feed = Calendar.from_ical(client.get(url).content)
        return next(e for e in feed.walk("VEVENT") if "实施方案" in str(e["summary"]))

    before = plan_event()
    _file(Requirement.objects.get(kind=RequirementKind.PLAN), org.unit_a, personas.head_a)
    after = plan_event()
    assert str(after["summary"]) == "报送截止：实施方案（已报送）"
    assert str(after["uid"]) == str(before["uid"])
