"""The indicators read from other domains than demands — targets, filings, project
milestones — on small fixtures counted by hand; and the satisfaction of one requester
kind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from activities.models import Activity, ActivityKind, Target, TargetSubject
from assessment import indicators
from campaigns.models import Campaign, Filing, Phase, Requirement, RequirementKind
from projects.models import Milestone, MilestoneState, Project, ProjectState

from .assessment_helpers import END, NOW, START, TZ, build_units, demand

pytestmark = pytest.mark.django_db
D_ = dt.date


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def units(org):
    shirong, yuanlin = build_units(org)
    return org, shirong, yuanlin


@pytest.fixture
def campaign(units, personas):
    org, shirong, yuanlin = units
    campaign = Campaign.objects.create(code="sanmanyi-2026", name="2026年活动",
                                       starts_on=D_(2026, 1, 1), ends_on=D_(2026, 12, 31),
                                       office_unit=org.bureau)
    campaign.participants.set([shirong, yuanlin])
    return campaign


def measure(key, units, start=START, end=END):
    return indicators.measure([key], units, start, end)[key]


def test_target_completion_counts_those_on_pace_at_the_period_s_end(units, campaign, personas):
    org, shirong, yuanlin = units
    for unit in (shirong, yuanlin):
        Target.objects.create(campaign=campaign, label="每年志愿服务12次", count=12,
                              kind=ActivityKind.VOLUNTEER, subject=TargetSubject.UNIT, unit=unit,
                              period_start=D_(2026, 1, 1), period_end=D_(2026, 12, 31))

    def record(unit, day):
        Activity.objects.create(kind=ActivityKind.VOLUNTEER, campaign=campaign, occurred_on=day,
                                unit=unit, summary="志愿服务", created_by=personas.leader,
                                created_at=NOW, updated_at=NOW)

    # by 30 November 12 × 334 / 365 = 10.98 → 11 records are required
    for n in range(11):
        record(shirong, D_(2026, 1 + n, 10))
    for n in range(10):  # ten by the end of November, three more in December: behind
        record(yuanlin, D_(2026, 1 + n, 10))
    for day in (1, 2, 3):
        record(yuanlin, D_(2026, 12, day))
    found = measure("targets", [shirong, yuanlin, org.unit_b])
    assert (found[shirong.pk].value, found[shirong.pk].numerator,
            found[shirong.pk].denominator) == (D(100), 1, 1)
    assert (found[yuanlin.pk].value, found[yuanlin.pk].numerator) == (D(0), 0)
    assert found[org.unit_b.pk].value is None  # no target of its own: no data
    assert found[shirong.pk].records_url == reverse("console:targets") + "?campaign=sanmanyi-2026"


def test_filings_on_time_count_what_fell_due_in_the_period(units, campaign, personas):
    org, shirong, yuanlin = units
    phase = Phase.objects.create(campaign=campaign, order=2, name="集中推进",
                                 starts_on=D_(2026, 10, 1), ends_on=D_(2026, 12, 31))
    monthly = Requirement.objects.create(phase=phase, kind=RequirementKind.MONTHLY,
                                         title="月度进展", due_day=5)
    plan = Requirement.objects.create(phase=phase, kind=RequirementKind.PLAN,
                                      title="整改方案", due_on=D_(2026, 11, 20))

    def filed(requirement, unit, period, due_on, late):
        Filing.objects.create(requirement=requirement, unit=unit, period=period, due_on=due_on,
                              first_filed_at=NOW, late=late)

    # due in November: October's report (due 5 November) and the plan (due 20 November);
    # November's report is due 5 December, outside the period
    filed(monthly, shirong, D_(2026, 10, 1), D_(2026, 11, 5), late=False)
    filed(plan, shirong, D_(2026, 11, 20), D_(2026, 11, 20), late=True)
    filed(monthly, yuanlin, D_(2026, 10, 1), D_(2026, 11, 5), late=False)
    filed(plan, yuanlin, D_(2026, 11, 20), D_(2026, 11, 20), late=False)
    filed(monthly, yuanlin, D_(2026, 11, 1), D_(2026, 12, 5), late=False)
    found = measure("filings", [shirong, yuanlin, org.unit_b])
    assert (found[shirong.pk].numerator, found[shirong.pk].denominator) == (1, 2)
    assert found[shirong.pk].value == D(50)
    assert (found[yuanlin.pk].numerator, found[yuanlin.pk].denominator) == (2, 2)
    assert org.unit_b.pk not in found  # not a participant: no data
    assert found[shirong.pk].records_url == reverse("console:filing_board", args=[phase.pk])


def test_milestones_on_time_are_counted_for_their_owner_or_the_project_s_unit(units, personas):
    org, shirong, yuanlin = units

    def project(state):
        return Project.objects.create(title="背街小巷改造", responsible_unit=org.unit_b,
                                      state=state, created_by=personas.leader, created_at=NOW)

    def milestone(project, due, done=None, owner=None):
        Milestone.objects.create(project=project, title="节点", due=due, owner_unit=owner,
                                 state=MilestoneState.DONE if done else MilestoneState.PLANNED,
                                 done_at=dt.datetime.combine(done, dt.time(16), TZ)
                                 if done else None)

    running = project(ProjectState.IN_PROGRESS)
    milestone(running, D_(2026, 11, 10), done=D_(2026, 11, 10))  # on time, its last day
    milestone(running, D_(2026, 11, 15), done=D_(2026, 11, 20))  # late
    milestone(running, D_(2026, 11, 25))  # passed, not done
    milestone(running, D_(2026, 11, 12), done=D_(2026, 11, 11), owner=shirong)
    milestone(running, D_(2026, 12, 10))  # outside the period
    milestone(project(ProjectState.DRAFT), D_(2026, 11, 10))  # a draft does not count
    found = measure("milestones", [org.unit_b, shirong, yuanlin])
    assert (found[org.unit_b.pk].numerator, found[org.unit_b.pk].denominator) == (1, 3)
    assert (found[shirong.pk].numerator, found[shirong.pk].denominator) == (1, 1)
    assert yuanlin.pk not in found
    assert found[shirong.pk].records_url == reverse("console:project_list") + "?unit=shirong"


def test_satisfaction_by_requester_kind_counts_only_that_kind(units, personas):
    _org, shirong, yuanlin = units
    demand(shirong, personas, satisfied=True, on_time=True, kind="enterprise")
    demand(shirong, personas, satisfied=False, on_time=True, kind="enterprise")
    demand(shirong, personas, satisfied=False, on_time=True, kind="citizen")
    found = indicators.measure(["satisfaction_enterprise", "satisfaction", "overdue"],
                               [shirong, yuanlin], START, END)
    enterprise = found["satisfaction_enterprise"][shirong.pk]
    assert (enterprise.numerator, enterprise.denominator, enterprise.value) == (1, 2, D(50))
    assert "kpi=satisfaction_enterprise" in enterprise.records_url
    assert found["satisfaction"][shirong.pk].denominator == 3
    assert found["satisfaction"][yuanlin.pk].value is None
    assert found["overdue"][shirong.pk].value == D(0)
    assert found["overdue"][yuanlin.pk].value is None  # nothing fell due: no data


def test_the_registry_is_open_to_other_indicators():
    @indicators.register("test_only", "测试指标", measure="count", lower_better=True)
    def test_only(units, start, end):
        return {unit.pk: indicators.Measure(D(1)) for unit in units}

    try:
        assert ("test_only", "测试指标") in indicators.choices()
        with pytest.raises(ValueError, match="registered twice"):
            indicators.register("test_only", "again")(test_only)
    finally:
        del indicators.REGISTRY["test_only"]


def test_supervision_orders_answered_by_their_deadline(units, personas, client):
    """Unit A (with its 中队): an order answered on time, one answered late, one of its
    中队 past its deadline unanswered, one cancelled, one due after the period; unit B
    none (no data: the indicator's when_empty decides)."""
    from supervision import actions
    from supervision.models import SubjectKind

    org, _shirong, _yuanlin = units
    issued = dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)

    def order(unit, deadline_day, title):
        return actions.issue(personas.supervisor, subject_kind=SubjectKind.FINDING, unit=unit,
                             title=title, requirement="说明整改情况。",
                             deadline=dt.datetime(2026, 11, deadline_day, 17, 30, tzinfo=TZ),
                             finding=f"{title}：现场发现的问题。", finding_place="幸福路",
                             at=issued)

    on_time = order(org.unit_a, 10, "按时")
    actions.answer(personas.head_a, on_time, "已整改。", at=issued + dt.timedelta(days=2))
    late = order(org.unit_a, 10, "逾期反馈")
    actions.answer(personas.head_a, late, "已整改。", at=issued + dt.timedelta(days=12))
    order(org.team_a, 12, "中队未反馈")
    cancelled = order(org.unit_a, 12, "撤销")
    actions.cancel(personas.supervisor, cancelled, "重复下达。", at=issued)
    order(org.unit_a, 30, "月末未反馈")  # due on the period's last day: past, unanswered
    found = measure("orders", [org.unit_a, org.unit_b], end=D_(2026, 11, 29))
    # due in 1–29 November: 按时, 逾期反馈, 中队未反馈 (not the cancelled one, not the 30th's)
    assert (found[org.unit_a.pk].numerator, found[org.unit_a.pk].denominator) == (1, 3)
    whole = measure("orders", [org.unit_a, org.unit_b])  # the 30th included
    assert (whole[org.unit_a.pk].numerator, whole[org.unit_a.pk].denominator) == (1, 4)
    assert str(whole[org.unit_a.pk].value) == "25"
    assert org.unit_b.pk not in found
    # the line's link lists exactly the orders it counts, and says what they are
    client.force_login(personas.supervisor)
    page = client.get(found[org.unit_a.pk].records_url).content.decode()
    assert "反馈期限在 2026-11-01 至 2026-11-29" in page
    assert {title for title in ("按时", "逾期反馈", "中队未反馈", "撤销", "月末未反馈")
            if f">{title}<" in page or f">{title} <" in page} == {"按时", "逾期反馈", "中队未反馈"}
    broken = client.get(reverse("console:orders"), {"judged": "on", "due_from": "2026-11-01"})
    assert "统计口径缺少起止日期" in broken.content.decode()
