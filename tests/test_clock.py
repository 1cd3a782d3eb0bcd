"""One clock: deadlines at receipt, extension and follow-up follow one rule; the committed
deadline survives a 差评整改; warning and overdue mean the same everywhere; the working
calendar changed in one process reaches the others."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from catalog import calendar
from catalog.models import CalendarDay, Category, DayKind, LimitUnit
from demands import clock, kpis, queues, sla
from demands.actions import extensions, replies
from demands.exports import write_xlsx
from demands.models import Demand, EventKind, SlaFlag, State

from .demand_helpers import at, handling, registered

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
class TestOneRule:
    def test_an_extension_gives_the_deadline_a_longer_limit_would_have(self, personas,
                                                                       categories, org):
        """1 working day + 2 approved = what a 3-working-day category commits, warning
        moment included (they were computed by two different formulas)."""
        demand = handling(personas, org, categories.stall, "2026-11-23 09:00")
        extensions.request_extension(personas.handler_a, demand, 2, "需要协调",
                                     at=at("2026-11-23 10:00"))
        demand = extensions.approve_extension(personas.dispatcher, demand,
                                              at=at("2026-11-23 10:30"))
        three_days = Category(code="x", name="x", parent=categories.top, time_limit=3,
                              time_limit_unit=LimitUnit.DAYS, warning_hours=2)
        expected = clock.due(three_days, at("2026-11-23 09:00"))
        assert (demand.deadline, demand.warn_at) == (expected.deadline, expected.warn_at)
        assert demand.deadline == at("2026-11-26 09:00")
        assert demand.committed_deadline == demand.deadline
        assert demand.extension_count == 1

    def test_an_approved_extension_survives_a_follow_up(self, personas, categories, org,
                                                        client):
        demand = handling(personas, org, categories.stall, "2026-11-23 09:00")
        extensions.request_extension(personas.handler_a, demand, 2, "需要协调",
                                     at=at("2026-11-23 10:00"))
        extensions.approve_extension(personas.dispatcher, demand, at=at("2026-11-23 10:30"))
        demand = replies.reply(personas.handler_a, demand, "已处理。", at=at("2026-11-25 09:00"))
        demand = replies.record_visit(personas.receiver, demand, reached=True, level=1,
                                      note="不满意", at=at("2026-11-25 10:00"))
        assert demand.state == State.FOLLOW_UP
        committed = at("2026-11-26 09:00")
        follow_up = clock.due(categories.stall, at("2026-11-25 10:00")).deadline
        demand.refresh_from_db()
        assert demand.committed_deadline == committed  # on the record
        assert demand.deadline == follow_up == at("2026-11-26 10:00")
        event = demand.events.get(kind=EventKind.FOLLOW_UP)
        assert dt.datetime.fromisoformat(event.data["committed_deadline"]) == committed
        # the page shows both
        client.force_login(personas.dispatcher)
        page = client.get(reverse("console:demand_detail", args=[demand.number])).content.decode()
        assert 'data-testid="committed-deadline">2026-11-26 09:00' in page
        assert 'data-testid="follow-up-deadline">2026-11-26 10:00' in page
        # and so does the export
        spool = io.BytesIO()
        write_xlsx(Demand.objects.filter(pk=demand.pk), spool)
        sheet = load_workbook(io.BytesIO(spool.getvalue())).active
        header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
        assert row[header.index("承诺时限")] == "2026-11-26 09:00"
        assert row[header.index("整改时限")] == "2026-11-26 10:00"
        # an extension during the follow-up moves the follow-up's clock only
        extensions.request_extension(personas.handler_a, demand, 1, "再协调",
                                     at=at("2026-11-25 11:00"))
        demand = extensions.approve_extension(personas.dispatcher, demand,
                                              at=at("2026-11-25 11:30"))
        assert demand.deadline == at("2026-11-27 10:00")
        assert demand.committed_deadline == committed


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["register", "receive", "import"])
def test_every_intake_path_records_the_committed_deadline(path, personas, categories, org):
    """Staff entry, a portal demand received later, and a file import all keep the
    promise they start (the on-time rate counts by it)."""
    from demands.actions import handover, importing
    from demands.actions.intake import submit

    from .demand_helpers import intake

    if path == "register":
        demand = registered(personas, categories.stall, "2026-11-23 09:00")
    elif path == "receive":
        demand, _ = submit(None, intake(categories.stall, channel="portal"),
                           at=at("2026-11-23 08:00"))
        demand = handover.receive(personas.receiver, demand, at=at("2026-11-23 09:00"))
    else:
        item = importing.Imported(intake(categories.stall, external_id="GD-1"),
                                  at("2026-11-23 09:00"))
        prepared = importing.prepare_import([item], channel="12345", categories=None,
                                            intake_unit=org.intake, staff=None,
                                            at=at("2026-11-23 10:00"))
        demand = importing.import_prepared(None, prepared)[0].demand
    demand.refresh_from_db()
    assert demand.committed_deadline == demand.deadline == at("2026-11-24 09:00")


@pytest.mark.django_db
def test_warning_and_overdue_agree_everywhere(personas, categories, org):
    """The queues, the console filter, the sweep, the KPIs and ``sla_state`` answer from
    the same rule at any moment."""
    demands = [handling(personas, org, categories.litter, f"2026-11-23 {h}:00")
               for h in ("09", "10", "11", "14", "15", "16")]
    for moment in ("2026-11-23 11:45", "2026-11-23 13:30", "2026-11-23 16:00",
                   "2026-11-24 09:00"):
        now = at(moment)
        by_state = {flag: {d.pk for d in demands if Demand.objects.get(pk=d.pk)
                           .sla_state(now) == flag} for flag in SlaFlag.values}
        assert {d.pk for d in Demand.objects.overdue(now)} == by_state[SlaFlag.OVERDUE]
        assert {d.pk for d in Demand.objects.warning(now)} == by_state[SlaFlag.WARNING]
        assert {d.pk for d in Demand.objects.in_time(now)} == by_state[SlaFlag.NORMAL]
        for key, flag in (("overdue", SlaFlag.OVERDUE), ("warning", SlaFlag.WARNING)):
            assert {d.pk for d in queues.queue_queryset(personas.leader, key, now)} == \
                by_state[flag]
        start, end = kpis.month_bounds(2026, 11)
        assert kpis.summary(Demand.objects.all(), start, end, now)["open_overdue"] == \
            len(by_state[SlaFlag.OVERDUE])
    sla.sweep(at("2026-11-24 09:00"))
    assert {d.pk for d in Demand.objects.filter(sla_flag=SlaFlag.OVERDUE)} == \
        {d.pk for d in Demand.objects.overdue(at("2026-11-24 09:00"))} == \
        {d.pk for d in demands[:3]}


# --- the calendar shared between processes ---------------------------------------------------
@pytest.mark.django_db
def test_a_changed_day_publishes_a_new_version_after_commit(django_capture_on_commit_callbacks):
    before = calendar.shared_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        CalendarDay.objects.create(date="2026-12-07", kind=DayKind.HOLIDAY, name="测试假日")
    assert calendar.shared_version() == before  # not before the commit
    for callback in callbacks:
        callback()
    assert calendar.shared_version() != before


@pytest.mark.django_db
def test_a_process_rebuilds_its_calendar_when_the_shared_version_moves(monkeypatch,
                                                                       categories):
    """What another process's edit looks like from here: the table changed (without a
    signal in this process) and the shared version moved."""
    monday = at("2026-12-07 09:00")  # Monday 7 December 2026
    assert calendar.current().is_working_day(monday.date())
    CalendarDay.objects.bulk_create([CalendarDay(date=monday.date(), kind=DayKind.HOLIDAY,
                                                 name="测试假日")])  # no signal
    monkeypatch.setattr(calendar._shared, "check_seconds", 0)
    assert calendar.current().is_working_day(monday.date())  # same version: kept
    cache.set(calendar.VERSION_KEY, "changed-elsewhere", timeout=None)
    assert not calendar.current().is_working_day(monday.date())
    assert clock.due(categories.stall, at("2026-12-04 16:00")).deadline == \
        at("2026-12-08 16:00")  # Friday + 1 working day skips the new holiday


CHILD = """
import sys, django
django.setup()
from catalog import calendar
import datetime as dt
day = dt.date(2026, 12, 7)
print(calendar.current().is_working_day(day), flush=True)
sys.stdin.readline()  # the parent has changed the calendar
import time; time.sleep(calendar.CHECK_SECONDS + 0.2)
print(calendar.current().is_working_day(day), flush=True)
"""


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the other process needs a shared database (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_a_holiday_edited_in_one_process_is_seen_by_another(tmp_path, settings, categories):
    """Two processes on the embedded default's file cache: the child built its calendar
    before the parent declared a holiday, and uses the new one without a restart."""
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache")}}
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanmanyi.settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "0", "VAR_DIR": str(tmp_path),
           "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == "True"  # a working Monday, cached
        CalendarDay.objects.update_or_create(date="2026-12-07", defaults={
            "kind": DayKind.HOLIDAY, "name": "测试假日"})  # committed: autocommit
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "False"
    finally:
        child.kill()
        child.wait(timeout=10)
