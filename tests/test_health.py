"""Health endpoint, the worker's heartbeat and housekeeping, the admin in Chinese."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.urls import reverse

from sanmanyi import tasks


def test_healthz_reports_database_and_a_stale_worker(client, db):
    body = client.get("/healthz").json()
    assert body == {"database": "ok", "worker": "stale", "worker_last_heartbeat": None}


def test_a_recent_heartbeat_makes_the_worker_ok_and_an_old_one_stale(client, db, time_machine):
    time_machine.move_to("2026-03-02 09:00 +0800")
    tasks.heartbeat.apply()  # runs the task body as the worker would
    body = client.get("/healthz").json()
    assert body["worker"] == "ok"
    assert body["worker_last_heartbeat"].startswith("2026-03-02T01:00")
    time_machine.shift(dt.timedelta(minutes=5))
    assert client.get("/healthz").json()["worker"] == "stale"


def test_housekeeping_drops_expired_sessions(client, personas, time_machine):
    time_machine.move_to("2026-03-02 09:00 +0800")
    client.force_login(personas.leader, backend="django.contrib.auth.backends.ModelBackend")
    assert Session.objects.count() == 1
    time_machine.shift(dt.timedelta(days=1))
    tasks.housekeeping.apply()
    tasks.housekeeping.apply()  # idempotent
    assert Session.objects.count() == 0


def test_the_admin_speaks_chinese(client, personas):
    personas.leader.is_staff = personas.leader.is_superuser = True
    personas.leader.save()
    client.force_login(personas.leader, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("admin:index")).content.decode()
    assert "三满意服务平台 · 管理后台" in page
    assert "单位" in page and "工作人员" in page and "角色授权" in page
    page = client.get(reverse("admin:org_unit_changelist")).content.decode()
    assert "环境卫生管理处" in page


def test_unknown_pages_are_a_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
