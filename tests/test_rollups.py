"""The KPI roll-ups (demands/rollups.py) give the very numbers of the live computation:
after a history made through the actions, and again after a day of random actions on it,
for every grouping, every scope and periods that end today, yesterday or last month."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine

from demands import kpis, rollups
from demands.actions import extensions, handover, replies, triage
from demands.models import DailyFigure, Demand, EvaluationSource, RollupDirty, State
from lib.errors import ActionError

from .demand_helpers import at, registered

pytestmark = pytest.mark.django_db

GROUPINGS = ("unit", "category", "channel", "requester_kind", "month")


def _plain(rows):
    return [(key, label, {name: (value.numerator, value.denominator)
                          if isinstance(value, kpis.Rate) else value
                          for name, value in figures.items()}) for key, label, figures in rows]


def assert_same(org, now):
    """Roll-up answers == live answers, for every scope, grouping and period."""
    periods = [kpis.month_bounds(2026, 11), kpis.month_bounds(2026, 10),
               (kpis.month_bounds(2026, 10)[0], now),
               kpis.day_bounds(dt.date(2026, 11, 3), dt.date(2026, 11, 12))]
    scopes = [(kpis.Rollup(), Demand.objects.all()),
              (kpis.Rollup((org.unit_a.path,)), Demand.objects.filter(
                  current_unit__path__startswith=org.unit_a.path)),
              (kpis.Rollup((org.unit_b.path, org.intake.path)), Demand.objects.filter(
                  current_unit__path__startswith=org.unit_b.path)
                | Demand.objects.filter(current_unit__path__startswith=org.intake.path))]
    compared = 0
    for start, end in periods:
        for stored, live in scopes:
            assert _plain([(None, "", kpis.summary(stored, start, end, now=now))]) == \
                _plain([(None, "", kpis.summary(live, start, end, now=now))])
            for by in GROUPINGS:
                assert _plain(kpis.breakdown(stored, start, end, by, now=now)) == \
                    _plain(kpis.breakdown(live, start, end, by, now=now)), (start, end, by)
                compared += 1
    return compared


def _try(action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except ActionError:
        return None


def history(personas, org, categories, rng, days, per_day=4):
    """Demands through the real actions, spread over ``days`` (a date list)."""
    made = []
    for day in days:
        for n in range(per_day):
            when = dt.datetime.combine(day, dt.time(8 + n * 2, rng.randrange(60)),
                                       at("2026-11-01 00:00").tzinfo)
            kind = rng.choice(["citizen", "citizen", "grassroots", "enterprise"])
            with time_machine.travel(when, tick=False):
                demand = registered(
                    personas, rng.choice([categories.litter, categories.stall]),
                    when=when.strftime("%Y-%m-%d %H:%M"), requester_kind=kind,
                    requester_org="宿迁某某有限公司" if kind == "enterprise" else "",
                    channel=rng.choice(["12319", "12345", "portal", "weibo"]),
                    requester_phone=f"139{rng.randrange(10**8):08d}",
                    title=f"诉求 {day} {n}")
            made.append(demand)
            later = when
            for _step in range(rng.randrange(6)):
                later += dt.timedelta(hours=rng.choice([1, 3, 20, 30]))
                with time_machine.travel(later, tick=False):
                    random_action(personas, org, rng, Demand.objects.get(pk=demand.pk),
                                  later)
    return made


def random_action(personas, org, rng, demand, when):
    head = {org.unit_a.pk: personas.handler_a, org.unit_b.pk: personas.handler_b}
    handler = head.get(demand.current_unit_id, personas.handler_a)
    choice = rng.randrange(10)
    if demand.state == State.RECEIVED:
        unit = rng.choice([org.unit_a, org.unit_b])
        _try(handover.dispatch, personas.dispatcher, demand, unit, at=when)
    elif demand.state == State.DISPATCHED:
        if choice < 2:
            _try(handover.return_, handler, demand, "不属于本单位职责", at=when)
        elif choice < 3:
            _try(handover.transfer, personas.dispatcher, demand,
                 org.unit_b if demand.current_unit_id == org.unit_a.pk else org.unit_a,
                 "转办测试", at=when)
        else:
            _try(handover.accept, handler, demand, at=when)
    elif demand.state == State.HANDLING:
        if choice < 2:
            if _try(extensions.request_extension, handler, demand, 2, "需要协调", at=when):
                _try(extensions.approve_extension, personas.dispatcher,
                     Demand.objects.get(pk=demand.pk), at=when)
        else:
            _try(replies.reply, handler, demand, "已处理完毕，感谢您的反映。", at=when)
    elif demand.state == State.REPLIED:
        if choice < 6:
            _try(replies.evaluate, personas.receiver, demand, rng.randrange(1, 6),
                 EvaluationSource.WEB, at=when)
        else:
            _try(replies.record_visit, personas.receiver, demand, True, rng.randrange(1, 6),
                 at=when)
    elif demand.state == State.FOLLOW_UP and choice < 5:
        _try(replies.answer_follow_up, handler, demand, "整改完毕。", at=when)


@pytest.fixture
def rng():
    return random.Random(20261203)


def test_rollups_equal_the_live_figures_after_a_day_of_random_actions(
        org, personas, categories, rng):
    days = [dt.date(2026, 10, 20) + dt.timedelta(days=n) for n in range(30)]
    made = history(personas, org, categories, rng, days, per_day=3)
    now = at("2026-11-19 10:00")
    with time_machine.travel(now, tick=False):
        done = rollups.refresh()
        assert done["closed"] == 30 and done["rows"] > 0  # 20 October – 18 November
        assert rollups.complete_through() == dt.date(2026, 11, 18)
        assert not RollupDirty.objects.exists()
        # the roll-ups are really read: emptied, the stored days would count nothing
        assert assert_same(org, now) > 50

    # a day of random actions on old and new demands alike: replies, evaluations,
    # returns, transfers, extensions (committed deadlines move), merges, repeat marks
    moment = at("2026-11-19 08:30")
    for step in range(60):
        moment += dt.timedelta(minutes=13)
        with time_machine.travel(moment, tick=False):
            demand = Demand.objects.get(pk=rng.choice(made).pk)
            if step % 15 == 7 and demand.state == State.SUBMITTED:
                _try(triage.invalidate, personas.receiver, demand, "无效诉求", at=moment)
            elif step % 15 == 11:
                other = Demand.objects.get(pk=rng.choice(made).pk)
                if other.pk != demand.pk:
                    _try(triage.merge, personas.dispatcher, demand, other, at=moment)
            elif step % 15 == 3:
                triage.mark_repeat([demand.pk], repeat=not demand.is_repeat)
            else:
                random_action(personas, org, rng, demand, moment)
    assert RollupDirty.objects.exists()  # past days touched: marked in the same transaction

    for now in (at("2026-11-19 23:00"), at("2026-11-20 00:05"), at("2026-12-01 09:00")):
        with time_machine.travel(now, tick=False):
            rollups.refresh()
            assert assert_same(org, now) > 50
    assert DailyFigure.objects.filter(day__gte=dt.date(2026, 11, 19)).exists()


def test_a_late_job_is_covered_by_the_live_computation(org, personas, categories, rng):
    history(personas, org, categories, rng,
            [dt.date(2026, 11, 2) + dt.timedelta(days=n) for n in range(6)], per_day=2)
    with time_machine.travel(at("2026-11-05 09:00"), tick=False):
        rollups.refresh()
    # three days later the job has not run again: 5–7 November come from the demands
    now = at("2026-11-09 09:00")
    with time_machine.travel(now, tick=False):
        assert rollups.complete_through() == dt.date(2026, 11, 4)
        assert_same(org, now)


def test_the_stored_days_are_what_is_read(org, personas, categories, rng):
    """Not a tautology: a stored count changed by hand shows in the figure."""
    history(personas, org, categories, rng, [dt.date(2026, 11, 2)], per_day=3)
    now = at("2026-11-10 09:00")
    with time_machine.travel(now, tick=False):
        rollups.refresh()
        start, end = kpis.month_bounds(2026, 11)
        before = kpis.summary(kpis.Rollup(), start, end, now=now)["repeat"].denominator
        assert before == 3
        DailyFigure.objects.filter(dimension="", received__gt=0).update(received=100)
        assert kpis.summary(kpis.Rollup(), start, end, now=now)["repeat"].denominator >= 100
        assert kpis.summary(Demand.objects.all(), start, end, now=now)["repeat"] \
            .denominator == 3


def test_every_kind_of_write_marks_the_days_it_changes(org, personas, categories):
    with time_machine.travel(at("2026-11-03 09:00"), tick=False):
        demand = registered(personas, categories.litter, when="2026-11-03 09:00")
    with time_machine.travel(at("2026-11-10 09:00"), tick=False):
        rollups.refresh()
        assert not RollupDirty.objects.exists()
        Demand.objects.filter(pk=demand.pk).update(is_repeat=True)  # queryset update
        assert set(RollupDirty.objects.values_list("day", flat=True)) == {dt.date(2026, 11, 3)}
        RollupDirty.objects.all().delete()
        Demand.objects.filter(pk=demand.pk).update(reply="")  # not counted: no mark
        assert not RollupDirty.objects.exists()
        partial = Demand.objects.only("pk", "committed_deadline").get(pk=demand.pk)
        partial.committed_deadline = at("2026-11-06 09:00")
        partial.save(update_fields=["committed_deadline"])  # the old day and the new one
        assert set(RollupDirty.objects.values_list("day", flat=True)) == \
            {dt.date(2026, 11, 3), dt.date(2026, 11, 6)}
        RollupDirty.objects.all().delete()
        Demand.objects.get(pk=demand.pk).delete()
        assert set(RollupDirty.objects.values_list("day", flat=True)) >= {dt.date(2026, 11, 3)}


def test_the_command_rebuilds_what_sql_wrote_behind_its_back(org, personas, categories):
    from django.core.management import call_command

    with time_machine.travel(at("2026-11-03 09:00"), tick=False):
        registered(personas, categories.litter, when="2026-11-03 09:00")
    now = at("2026-11-10 09:00")
    with time_machine.travel(now, tick=False):
        call_command("refresh_rollups")
        start, end = kpis.month_bounds(2026, 11)
        assert kpis.summary(kpis.Rollup(), start, end, now=now)["repeat"].denominator == 1
        # a write that leaves no mark (as a COPY would): the stored day is stale …
        DailyFigure.objects.all().delete()
        call_command("refresh_rollups")
        assert kpis.summary(kpis.Rollup(), start, end, now=now)["repeat"].denominator == 0
        # … until a rebuild
        call_command("refresh_rollups", "--rebuild")
        assert kpis.summary(kpis.Rollup(), start, end, now=now)["repeat"].denominator == 1
