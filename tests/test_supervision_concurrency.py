"""Two people acting on one supervision order at the same moment: exactly one wins, the
other is told why; orders issued at once get distinct numbers; two sweeps at once escalate
once. Real concurrent connections, so PostgreSQL (SQLite serialises whole transactions)."""

from __future__ import annotations

import pytest
from django.db import connection

from inbox.models import Notification
from org.models import Role
from supervision import actions, sweep
from supervision.models import OrderAnswer, OrderEvent, SupervisionOrder

from .conftest import make_staff
from .demand_helpers import at
from .test_demand_concurrency import race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs real concurrent connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def issued(personas, org, when="2026-11-23 09:00", deadline="2026-11-25 17:30"):
    return actions.issue(personas.supervisor, subject_kind="finding", unit=org.unit_a,
                         title="检查发现", requirement="请整改。", finding="路面破损。",
                         deadline=at(deadline), at=at(when))


def fresh(order):
    return SupervisionOrder.objects.get(pk=order.pk)


@pytest.mark.parametrize("round_", range(3))
def test_two_answers_at_once_count_once(personas, org, round_):
    order = issued(personas, org)
    outcomes = race(lambda: actions.answer(personas.head_a, fresh(order), "已整改。"),
                    lambda: actions.answer(personas.handler_a, fresh(order), "已整改完毕。"))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refusal = next(value for kind, value in outcomes if kind == "refused")
    assert refusal.code == "wrong_state" and "已反馈" in refusal.message
    assert OrderAnswer.objects.filter(order=order).count() == 1


def test_accept_and_send_back_at_once(personas, org):
    party = make_staff("party", "陈书记", org.bureau, (Role.PARTY, None))
    order = actions.answer(personas.head_a, issued(personas, org), "已整改。")
    outcomes = race(lambda: actions.accept(personas.supervisor, fresh(order)),
                    lambda: actions.send_back(party, fresh(order), "不够具体。"))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert fresh(order).state in ("accepted", "returned")
    assert OrderEvent.objects.filter(order=order).count() == 3  # issue, answer, one winner


def test_orders_issued_at_once_get_distinct_numbers(personas, org):
    outcomes = race(*[lambda: issued(personas, org, "2027-01-04 09:00", "2027-01-06 17:30")
                      for _ in range(4)])
    assert [kind for kind, _ in outcomes] == ["ok"] * 4, outcomes
    assert sorted(order.number for _, order in outcomes) == [
        f"DB2027{n:06d}" for n in range(1, 5)]


def test_two_sweeps_at_once_escalate_once(personas, org):
    order = issued(personas, org)
    late = at("2026-11-26 09:00")
    outcomes = race(lambda: sweep.sweep(late), lambda: sweep.sweep(late))
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert sum(counts["escalated"] for _, counts in outcomes) == 1
    assert OrderEvent.objects.filter(order=order, kind="escalate").count() == 1
    assert Notification.objects.filter(kind="order.escalated").count() == 2  # head, leader
