"""Two people acting on one demand at the same moment: exactly one wins, the other is told
why. Real concurrent connections, so PostgreSQL (SQLite serialises whole transactions)."""

from __future__ import annotations

import threading
import traceback

import pytest
from django.db import connection, connections

from demands.actions import handover, replies, triage
from demands.models import Demand, DemandEvent, EventKind, State
from lib.errors import ActionError

from .demand_helpers import registered, replied

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs real concurrent connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls):
    """Run the calls in threads released at the same instant; return outcomes in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = ("ok", call())
        except ActionError as error:
            outcomes[index] = ("refused", error)
        except Exception:  # anything else is a bug the assertion must show
            outcomes[index] = ("crashed", traceback.format_exc())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("round_", range(5))
def test_two_handlers_accepting_at_once(personas, categories, org, round_):
    demand = registered(personas, categories.litter)
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
    outcomes = race(lambda: handover.accept(personas.handler_a, Demand.objects.get(pk=demand.pk)),
                    lambda: handover.accept(personas.head_a, Demand.objects.get(pk=demand.pk)))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refusal = next(value for kind, value in outcomes if kind == "refused")
    assert refusal.code == "wrong_state" and "办理中" in refusal.message
    winner = next(value for kind, value in outcomes if kind == "ok")
    fresh = Demand.objects.get(pk=demand.pk)
    assert fresh.state == State.HANDLING and fresh.handler == winner.handler
    assert DemandEvent.objects.filter(demand=demand, kind=EventKind.ACCEPT).count() == 1


def test_dispatch_and_invalidate_at_once(personas, categories, org):
    demand = registered(personas, categories.litter)
    outcomes = race(
        lambda: handover.dispatch(personas.dispatcher, Demand.objects.get(pk=demand.pk),
                                 org.unit_a),
        lambda: triage.invalidate(personas.receiver, Demand.objects.get(pk=demand.pk),
                                   "重复来电"))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    fresh = Demand.objects.get(pk=demand.pk)
    assert fresh.state in (State.DISPATCHED, State.INVALID)
    assert fresh.events.count() == 2  # registration and the one winner


def test_two_evaluations_at_once_count_once(personas, categories, org):
    demand = replied(personas, org, categories.litter)
    outcomes = race(lambda: replies.evaluate(None, Demand.objects.get(pk=demand.pk), 5),
                    lambda: replies.evaluate(None, Demand.objects.get(pk=demand.pk), 1))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert Demand.objects.get(pk=demand.pk).evaluations.count() == 1
