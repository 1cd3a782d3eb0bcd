"""Builders shared by the demand tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from demands.actions import handover, replies
from demands.actions.intake import Intake, register

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def intake(category=None, **overrides) -> Intake:
    values = {"requester_kind": "citizen", "channel": "12319", "category": category,
              "title": "小区门口垃圾堆积",
              "content": "幸福路12号小区门口垃圾两天没人清运，气味很大。",
              "requester_name": "王女士", "requester_phone": "13905271234",
              "address": "宿迁市宿城区幸福路12号", "longitude": "118.275", "latitude": "33.963"}
    values.update(overrides)
    return Intake(**values)


def registered(personas, category, when="2026-11-23 09:00", **overrides):
    demand, _ = register(personas.receiver, intake(category, **overrides), at=at(when))
    return demand


def handling(personas, org, category, when="2026-11-23 09:00", **overrides):
    demand = registered(personas, category, when, **overrides)
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a, at=at(when))
    return handover.accept(personas.handler_a, demand, at=at(when))


def replied(personas, org, category, when="2026-11-23 09:00", **overrides):
    demand = handling(personas, org, category, when, **overrides)
    return replies.reply(personas.handler_a, demand, "已安排环卫工人清运完毕，感谢您的反映。",
                         at=at(when))
