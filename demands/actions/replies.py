"""The answer and its judgement: reply (答复), the requester's evaluation (web link, SMS,
relayed by a system), the return visit (回访), the follow-up of a bad evaluation
(整改) and closing without an evaluation."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from inbox.actions import notify
from lib.errors import ActionError
from lib.errors import clean_text as _text
from org import access

from .. import clock
from ..models import (
    Demand,
    Evaluation,
    EvaluationSource,
    EventKind,
    Level,
    State,
)
from ._common import (
    expect_state,
    lock,
    moment,
    record,
    require,
    tell_requester,
    unit_heads,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_evaluation_link(demand: Demand) -> str:
    """A fresh one-time evaluation link for the requester (only its hash is kept)."""
    token = secrets.token_urlsafe(18)
    demand.evaluation_token_hash = token_hash(token)
    return settings.PUBLIC_BASE_URL + reverse("portal:evaluate", args=[token])



def _answer(actor, demand: Demand, content: str, at, *, label: str, expected: str,
            kind: str, invitation: str) -> Demand:
    """A reply (答复) or a follow-up's answer (整改答复): the text, a fresh one-time
    evaluation link by SMS, and the requesters of merged demands told."""
    demand = lock(demand)
    require(actor, "demand.handle", demand, label)
    expect_state(demand, (expected,), label)
    content = _text(content, f"{label}内容", limit=2000, field_name="content")
    demand.state = State.REPLIED
    demand.reply = content
    demand.replied_at = at
    if demand.first_replied_at is None:
        demand.first_replied_at = at
        demand.replied_on_time = at <= demand.deadline
    link = _issue_evaluation_link(demand)
    demand.save(update_fields=["state", "reply", "replied_at", "first_replied_at",
                               "replied_on_time", "evaluation_token_hash", "updated_at"])
    record(demand, kind, actor, at, expected, unit=demand.current_unit, reason=content,
           on_time=at <= demand.deadline)
    tell_requester(demand, f"您的诉求（{demand.number}）{invitation}：{link}")
    relay_reply(actor, demand, at, label=label)
    return demand


@transaction.atomic
def reply(actor, demand: Demand, content: str, at=None) -> Demand:
    return _answer(actor, demand, content, moment(at), label="答复", expected=State.HANDLING,
                   kind=EventKind.REPLY, invitation="已答复，请对办理结果评价")


def _apply_evaluation(actor, demand: Demand, level: int, source: str, comment: str, at):
    if level not in Level.values:
        raise ActionError("invalid", "评价等级须为 1 至 5。", "level")
    comment = _text(comment, "评价意见", required=False, limit=1000, field_name="comment")
    Evaluation.objects.create(demand=demand, level=level, source=source, comment=comment,
                              round=demand.follow_up_count + 1,
                              recorded_by=actor if actor and actor.is_authenticated else None,
                              at=at)
    demand.evaluation_level = level
    demand.evaluated_at = at
    demand.evaluation_token_hash = ""  # the link works once
    if demand.first_evaluation_level is None:
        demand.first_evaluation_level = level
        demand.first_evaluated_at = at
    staff = actor if actor and actor.is_authenticated else None
    if level >= 3:
        demand.state = State.CLOSED
        demand.closed_at = at
        demand.save(update_fields=["state", "evaluation_level", "evaluated_at", "closed_at",
                                   "visited_at", "first_evaluation_level",
                                   "first_evaluated_at", "evaluation_token_hash",
                                   "updated_at"])
        record(demand, EventKind.EVALUATE, staff, at, State.REPLIED, reason=comment,
               level=level, source=source)
        return demand
    # 差评整改: reopen with its own committed time limit.
    demand.state = State.FOLLOW_UP
    demand.follow_up_count += 1
    clock.start(demand, at, committed=False)
    demand.save(update_fields=["state", "evaluation_level", "evaluated_at", "visited_at",
                               "first_evaluation_level", "first_evaluated_at",
                               "follow_up_count", "deadline", "warn_at", "sla_flag",
                               "evaluation_token_hash", "updated_at"])
    record(demand, EventKind.EVALUATE, staff, at, State.REPLIED, reason=comment, level=level,
           source=source)
    record(demand, EventKind.FOLLOW_UP, staff, at, State.FOLLOW_UP, unit=demand.current_unit,
           deadline=demand.deadline.isoformat(),
           committed_deadline=demand.committed_deadline.isoformat()
           if demand.committed_deadline else None)
    notify([*unit_heads(demand.current_unit), demand.handler], "demand.follow_up",
           f"差评整改：诉求 {demand.number}（{Level(level).label}）", comment,
           demand.get_absolute_url(), at=at)
    return demand


@transaction.atomic
def evaluate(actor, demand: Demand, level: int, source: str = EvaluationSource.WEB,
             comment: str = "", at=None) -> Demand:
    """The requester's own evaluation: from the portal (no actor: the portal has checked
    the requester's number and phone) or relayed by a system account that may submit
    demands (the API's ``evaluate``). Staff record an evaluation by ``record_visit``."""
    at = moment(at)
    if actor is not None and actor.is_authenticated and not access.can_anywhere(
            actor, "demand.submit"):
        raise ActionError("forbidden", "该账号不能回传评价；工作人员请通过回访记录评价。")
    demand = lock(demand)
    expect_state(demand, (State.REPLIED,), "评价")
    if source not in EvaluationSource.values or source == EvaluationSource.VISIT:
        raise ActionError("invalid", "评价方式无效。", "source")
    return _apply_evaluation(actor, demand, level, source, comment, at)


@transaction.atomic
def evaluate_by_token(token: str, level: int, comment: str = "", at=None) -> Demand:
    """The requester's one-time link. An unknown, used or expired link says only that."""
    at = moment(at)
    demand = Demand.objects.filter(evaluation_token_hash=token_hash(token or "")).first() \
        if token else None
    if demand is None:
        raise ActionError("not_found", "评价链接无效或已使用。")
    demand = lock(demand)
    if demand.evaluation_token_hash != token_hash(token):
        raise ActionError("not_found", "评价链接无效或已使用。")
    expect_state(demand, (State.REPLIED,), "评价")
    return _apply_evaluation(None, demand, level, EvaluationSource.SMS, comment, at)


@transaction.atomic
def record_visit(actor, demand: Demand, reached: bool, level: int | None = None,
                 note: str = "", at=None) -> Demand:
    """回访: staff call the requester; when reached, their evaluation is recorded."""
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.visit", demand, "回访")
    expect_state(demand, (State.REPLIED,), "回访")
    demand.visited_at = at
    if reached:
        if level is None:
            raise ActionError("invalid", "请选择诉求人的满意度评价。", "level")
        record(demand, EventKind.VISIT, actor, at, State.REPLIED, reason=note, reached=True)
        return _apply_evaluation(actor, demand, level, EvaluationSource.VISIT, note, at)
    note = _text(note, "回访情况", limit=500, field_name="note")
    demand.save(update_fields=["visited_at", "updated_at"])
    record(demand, EventKind.VISIT, actor, at, State.REPLIED, reason=note, reached=False)
    return demand


@transaction.atomic
def answer_follow_up(actor, demand: Demand, content: str, at=None) -> Demand:
    return _answer(actor, demand, content, moment(at), label="整改答复",
                   expected=State.FOLLOW_UP, kind=EventKind.ANSWER_FOLLOW_UP,
                   invitation="已整改答复，请再次评价")


def relay_reply(actor, original: Demand, at, *, followers=None, label: str = "答复") -> int:
    """Merged demands follow their original: the requester of every demand merged into
    ``original`` (directly or through another merged demand) gets its reply by SMS, and a
    RELAY event on that demand records it. ``followers``: only these merged demands (and
    those merged into them), e.g. the one just merged. Returns how many were told."""
    pending = list(followers) if followers is not None else list(
        Demand.objects.filter(duplicate_of=original, state=State.MERGED))
    seen = {original.pk}
    told = 0
    while pending:
        demand = pending.pop()
        if demand.pk in seen:
            continue
        seen.add(demand.pk)
        record(demand, EventKind.RELAY, actor, at, demand.state, unit=original.current_unit,
               reason=original.reply, original=original.number)
        tell_requester(demand, f"您反映的问题（诉求 {demand.number}）已与诉求 {original.number} "
                                f"合并办理，{label}：{original.reply}")
        told += 1
        pending.extend(Demand.objects.filter(duplicate_of=demand, state=State.MERGED))
    return told



@transaction.atomic
def close(actor, demand: Demand, note: str, at=None) -> Demand:
    """办结 without an evaluation: only after a return visit could not reach the
    requester."""
    at = moment(at)
    demand = lock(demand)
    require(actor, "demand.visit", demand, "办结")
    expect_state(demand, (State.REPLIED,), "办结")
    if demand.visited_at is None:
        raise ActionError("wrong_state", "请先回访诉求人；联系不上时记录回访情况后再办结。")
    note = _text(note, "办结说明", limit=500, field_name="note")
    demand.state = State.CLOSED
    demand.closed_at = at
    demand.save(update_fields=["state", "closed_at", "updated_at"])
    record(demand, EventKind.CLOSE, actor, at, State.REPLIED, reason=note)
    return demand
