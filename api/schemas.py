"""Typed edges of API v1: what systems send and what they get back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from demands.models import Channel, RequesterKind

# from the models' choices: one list of the kinds and channels
RequesterKindIn = Literal[tuple(RequesterKind.values)]  # type: ignore[valid-type]
ChannelIn = Literal[tuple(Channel.values)]  # type: ignore[valid-type]


class Error(Schema):
    code: str = Field(description="稳定的错误代码：invalid, forbidden, not_found, wrong_state, "
                                  "conflict, unauthorized")
    message: str = Field(description="给人看的中文说明")
    field: str | None = None
    errors: list[dict] | None = None


class DemandIn(Schema):
    requester_kind: RequesterKindIn
    channel: ChannelIn
    external_id: str = Field("", max_length=64,
                             description="渠道内的唯一编号；同一渠道同一编号重复提交返回原诉求")
    category: str = Field("", max_length=40,
                          description="类别代码（小类），如 baolu-laji；不填则进入“待分类”，"
                                      "由受理人员分类后按该类别的承诺时限计时")
    title: str = Field(..., min_length=1, max_length=100)
    content: str = Field(..., min_length=1, max_length=4000)
    requester_name: str = Field("", max_length=50)
    requester_phone: str = Field("", max_length=20)
    requester_org: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    longitude: Decimal | None = Field(None, description="WGS84 经度（须在中国境内）")
    latitude: Decimal | None = Field(None, description="WGS84 纬度（须在中国境内）")


class EventOut(Schema):
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str | None
    from_state: str
    to_state: str
    unit: str | None
    reason: str


class DemandOut(Schema):
    number: str
    state: str
    state_label: str
    sla: str
    requester_kind: str
    channel: str
    external_id: str
    category: str | None = Field(description="类别代码；待分类时为 null")
    category_name: str = Field(description="类别名称；待分类时为“待分类”")
    title: str
    content: str
    address: str
    longitude: Decimal | None
    latitude: Decimal | None
    current_unit: str
    first_receiver: str | None
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    deadline: dt.datetime | None
    replied_at: dt.datetime | None
    reply: str
    evaluation_level: int | None
    closed_at: dt.datetime | None
    committed_deadline: dt.datetime | None = Field(
        None, description="承诺办结时限（差评整改另有整改时限，见 deadline）")
    actions: list[str] | None = Field(
        None, description="当前账号现在可执行的办理动作（单条查询与办理动作的响应中给出）")


class DemandPage(Schema):
    items: list[DemandOut]
    next: str | None = Field(None, description="下一页游标，作为 after 参数传回")


class BatchResult(Schema):
    index: int = Field(description="在提交数组中的位置（从 0 起）")
    code: str = Field(description="created、exists，或错误代码")
    number: str | None = None
    created: bool | None = None
    message: str | None = None
