"""Commitments (承诺): a unit's or window's service commitments (亮承诺: time limits,
standards) and rectification commitments (整改承诺) made after a supervision finding, a
negative evaluation or a campaign self-check — each with an owner, a deadline when it is a
rectification, evidence of fulfilment, and a public record (docs/projects.md)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from demands.models import Demand
from lib.errors import ActionError, clean_text
from org import access

from .actions import _date, _unit, moment, today
from .models import (
    Commitment,
    CommitmentEvent,
    CommitmentKind,
    CommitmentSource,
    CommitmentState,
)

C = CommitmentState


def _record(commitment: Commitment, kind: str, actor, at, from_state: str = "",
            reason: str = "") -> CommitmentEvent:
    return CommitmentEvent.objects.create(commitment=commitment, kind=kind, actor=actor,
                                          at=at, from_state=from_state,
                                          to_state=commitment.state, reason=reason)


def _lock(commitment: Commitment) -> Commitment:
    return Commitment.objects.select_for_update().get(pk=commitment.pk)


def _require(actor, capability: str, commitment: Commitment, label: str) -> None:
    if not access.can(actor, capability, commitment):
        raise ActionError("forbidden", f"您没有权限{label}。")


@transaction.atomic
def create(actor, *, kind: str, unit, title: str, content: str, window: str = "",
           source: str = CommitmentSource.UNIT, source_note: str = "", demand=None,
           owner=None, deadline=None, at=None) -> Commitment:
    at = moment(at)
    if kind not in CommitmentKind.values:
        raise ActionError("invalid", "承诺类型只能是服务承诺或整改承诺。", "kind")
    if source not in CommitmentSource.values:
        raise ActionError("invalid", "问题来源无效。", "source")
    unit = _unit(unit, "承诺单位", "unit")
    if unit is None:
        raise ActionError("invalid", "请选择承诺单位。", "unit")
    if not access.can(actor, "commitment.edit", Commitment(unit=unit)):
        raise ActionError("forbidden", "您没有为该单位登记承诺的权限。")
    deadline = _date(deadline, "整改时限", "deadline")
    if kind == CommitmentKind.RECTIFICATION:
        if deadline is None:
            raise ActionError("invalid", "整改承诺须写明整改时限。", "deadline")
        if deadline < today(at):
            raise ActionError("invalid", "整改时限不能早于今天。", "deadline")
        if source == CommitmentSource.UNIT:
            raise ActionError("invalid", "请说明整改承诺的问题来源（督查、差评或自查）。",
                              "source")
    if isinstance(demand, str):
        demand = Demand.objects.filter(number=demand.strip().upper()).first() or \
            ActionError("invalid", f"找不到诉求 {demand}。", "demand")
    if isinstance(demand, ActionError):
        raise demand
    if demand is not None and not access.can(actor, "demand.view", demand):
        raise ActionError("invalid", "找不到该诉求。", "demand")
    if owner not in (None, ""):
        User = get_user_model()
        owner = owner if isinstance(owner, User) else User.objects.filter(
            username=str(owner)).first()
        if owner is None:
            raise ActionError("invalid", "请选择有效的责任人。", "owner")
    commitment = Commitment.objects.create(
        kind=kind, source=source, unit=unit,
        window=clean_text(window, "窗口或岗位", required=False, limit=50, field_name="window"),
        title=clean_text(title, "承诺事项", limit=100, field_name="title"),
        content=clean_text(content, "承诺内容", limit=2000, field_name="content"),
        source_note=clean_text(source_note, "问题来源说明", required=False, limit=1000,
                               field_name="source_note"),
        demand=demand, owner=owner or None, deadline=deadline, created_by=actor,
        created_at=at)
    _record(commitment, "create", actor, at)
    return commitment


@transaction.atomic
def publish(actor, commitment: Commitment, at=None) -> Commitment:
    at = moment(at)
    commitment = _lock(commitment)
    _require(actor, "commitment.publish", commitment, "公示该承诺")
    if commitment.state != C.DRAFT:
        raise ActionError("wrong_state", f"该承诺已{commitment.get_state_display()}，不能再公示。")
    commitment.state, commitment.published_at = C.OPEN, at
    commitment.save()
    _record(commitment, "publish", actor, at, C.DRAFT)
    return commitment


@transaction.atomic
def fulfil(actor, commitment: Commitment, evidence: str, at=None) -> Commitment:
    at = moment(at)
    commitment = _lock(commitment)
    _require(actor, "commitment.edit", commitment, "确认该承诺兑现")
    if commitment.state != C.OPEN:
        raise ActionError("wrong_state",
                          f"该承诺当前为“{commitment.get_state_display()}”，不能确认兑现。")
    commitment.evidence = clean_text(evidence, "兑现情况", limit=2000, field_name="evidence")
    commitment.state, commitment.fulfilled_at, commitment.overdue_flag = C.FULFILLED, at, False
    commitment.save()
    _record(commitment, "fulfil", actor, at, C.OPEN, commitment.evidence)
    return commitment


@transaction.atomic
def cancel(actor, commitment: Commitment, reason: str, at=None) -> Commitment:
    at = moment(at)
    commitment = _lock(commitment)
    _require(actor, "commitment.publish", commitment, "撤销该承诺")
    if commitment.state in (C.FULFILLED, C.CANCELLED):
        raise ActionError("wrong_state",
                          f"该承诺当前为“{commitment.get_state_display()}”，不能撤销。")
    from_state = commitment.state
    commitment.cancel_reason = clean_text(reason, "撤销原因", limit=1000, field_name="reason")
    commitment.state, commitment.overdue_flag = C.CANCELLED, False
    commitment.save()
    _record(commitment, "cancel", actor, at, from_state, commitment.cancel_reason)
    return commitment
