"""The demo city's bulletin (通报, issue #13): last month's, generated from the shipped
template through the actions, issued and shown on the portal — so the console's list and
the portal's 工作通报 have something to open."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import actions, generation
from .models import Bulletin, Kind


def build(context: dict) -> list[str]:
    if Bulletin.objects.exists():
        return ["通报演示数据已存在，未重复生成"]
    office = get_user_model().objects.get(username="office")
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    bulletin = actions.create(office, Kind.MONTHLY, end.replace(day=1), end)
    # generated here rather than by a worker: the demo is ready when load_demo ends (the
    # queued task finds it done and skips it)
    if generation.run(bulletin.pk) != "done":
        bulletin.refresh_from_db()
        return [f"通报演示数据未生成：{bulletin.message or '生成失败'}"]
    bulletin = actions.publish(office, actions.issue(office, Bulletin.objects.get(
        pk=bulletin.pk)))
    return [f"通报 1 份（{bulletin.number}《{bulletin.title}》，已印发并在门户公开）"]
