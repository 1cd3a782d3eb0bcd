"""The SLA sweep: warnings, overdue escalation, idempotence; the sender pipeline."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from demands import sla
from demands.actions import extensions, handover, replies
from demands.models import DemandEvent, EventKind, SlaFlag
from inbox import senders
from inbox.actions import mark_read
from inbox.models import Notification

from .demand_helpers import at, handling, registered

pytestmark = pytest.mark.django_db


def test_yellow_before_the_deadline_red_after_and_only_once(personas, categories, org):
    demand = handling(personas, org, categories.litter, "2026-11-23 09:00")
    assert demand.deadline == at("2026-11-23 14:30")  # 3 h before lunch, 1 h after
    assert demand.warn_at == at("2026-11-23 13:30")
    assert sla.sweep(now=at("2026-11-23 12:00")) == {"warned": 0, "overdue": 0}
    assert demand.sla_state(at("2026-11-23 12:00")) == SlaFlag.NORMAL

    assert sla.sweep(now=at("2026-11-23 13:40")) == {"warned": 1, "overdue": 0}
    assert sla.sweep(now=at("2026-11-23 13:45")) == {"warned": 0, "overdue": 0}
    demand.refresh_from_db()
    assert demand.sla_flag == SlaFlag.WARNING
    assert Notification.objects.filter(kind="demand.warning").count() == 1
    assert Notification.objects.get(kind="demand.warning").recipient == personas.handler_a

    assert sla.sweep(now=at("2026-11-23 14:45")) == {"warned": 0, "overdue": 1}
    assert sla.sweep(now=at("2026-11-23 15:30")) == {"warned": 0, "overdue": 0}
    demand.refresh_from_db()
    assert demand.sla_flag == SlaFlag.OVERDUE
    assert demand.sla_state(at("2026-11-23 15:30")) == SlaFlag.OVERDUE
    overdue_to = set(Notification.objects.filter(kind="demand.overdue")
                     .values_list("recipient__username", flat=True))
    assert overdue_to == {"head_a", "supervisor"}
    assert DemandEvent.objects.filter(kind=EventKind.OVERDUE).count() == 1


def test_a_replied_demand_is_left_alone(personas, categories, org):
    demand = handling(personas, org, categories.litter, "2026-11-23 09:00")
    replies.reply(personas.handler_a, demand, "已处理", at=at("2026-11-23 10:00"))
    assert sla.sweep(now=at("2026-11-25 10:00")) == {"warned": 0, "overdue": 0}


def test_an_approved_extension_turns_the_light_back_to_green(personas, categories, org):
    demand = handling(personas, org, categories.stall, "2026-11-23 09:00")
    sla.sweep(now=at("2026-11-24 08:45"))
    demand.refresh_from_db()
    assert demand.sla_flag == SlaFlag.WARNING
    extensions.request_extension(personas.handler_a, demand, 2, "等待配合",
                                 at=at("2026-11-24 08:50"))
    demand = extensions.approve_extension(personas.dispatcher, demand, at=at("2026-11-24 08:55"))
    assert demand.sla_flag == SlaFlag.NORMAL
    assert demand.sla_state(at("2026-11-24 09:00")) == SlaFlag.NORMAL


def test_the_sweep_task_runs_in_the_worker_code_path(personas, categories, org, time_machine):
    from demands.tasks import sweep

    registered(personas, categories.litter, "2026-11-23 09:00")
    time_machine.move_to(at("2026-11-24 09:00"))
    result = sweep.apply().get()
    assert result == {"warned": 0, "overdue": 1}


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="two workers racing need two real connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_notify_once(personas, categories, org):
    for _ in range(20):
        registered(personas, categories.litter, "2026-11-23 09:00")
    barrier = threading.Barrier(2)
    results = []

    def worker():
        from django.db import connections
        barrier.wait()
        try:
            results.append(sla.sweep(now=at("2026-11-24 09:00")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["overdue"] for r in results) == 20
    assert DemandEvent.objects.filter(kind=EventKind.OVERDUE).count() == 20
    assert Notification.objects.filter(kind="demand.overdue",
                                       recipient=personas.supervisor).count() == 20


class FakeGateway:
    """Stands in for the SMS provider, which lives outside this machine."""

    sent: list = []

    def send(self, mobile, text):
        FakeGateway.sent.append((mobile, text))


def test_sms_and_email_senders_run_after_commit(personas, categories, org, settings, mailoutbox,
                                                django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDERS = ["inbox.senders.SmsSender", "inbox.senders.EmailSender"]
    settings.SMS_GATEWAY = "tests.test_demand_sla.FakeGateway"
    FakeGateway.sent = []
    personas.head_a.email = "head@example.cn"
    personas.head_a.save()
    demand = registered(personas, categories.litter)
    with django_capture_on_commit_callbacks(execute=True):
        handover.dispatch(personas.dispatcher, demand, org.unit_a)
    assert {mobile for mobile, _ in FakeGateway.sent} == {"13800000000"}
    assert len(FakeGateway.sent) == 2  # the handler and the head of unit A
    assert [m.to for m in mailoutbox] == [["head@example.cn"]]
    assert isinstance(senders.SmsSender().gateway, FakeGateway)


def test_reading_notifications(personas, categories, org):
    demand = registered(personas, categories.litter)
    handover.dispatch(personas.dispatcher, demand, org.unit_a)
    assert mark_read(personas.handler_a) == 1
    assert mark_read(personas.handler_a) == 0


def test_beat_schedules_the_sweep_and_the_dashboards():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sla-sweep"]["task"] == "demands.tasks.sweep"
    assert schedule["kpi-dashboards"]["task"] == "demands.tasks.refresh_dashboards"
