"""Every transition of a demand, declared once (the pattern: ``lib/transitions.py``).

The console's action panels and buttons, the API's action endpoints and request schemas,
and the labels are generated from this list; a test walks each transition through both
interfaces and compares what they take and what they do. Each ``perform`` is the domain
action itself, which checks the permission and the state again under its row lock.
"""

from __future__ import annotations

from catalog import queries
from catalog.models import Category
from lib.errors import ActionError
from lib.transitions import Catalogue, Input, Transition
from org import access
from org.models import Unit, UnitKind

from .actions import classification, extensions, handover, oversight, replies, triage
from .actions.extensions import MAX_EXTENSION_DAYS
from .models import CLOCK_STATES, OPEN_STATES, Demand, EvaluationSource, ExtensionStatus, Level
from .models import State as S


# --- who may --------------------------------------------------------------------------------
def capability(name: str):
    def allowed(user, demand) -> bool:
        return access.can(user, name, demand)
    allowed.capability = name
    return allowed


def relays_evaluations(user, demand) -> bool:
    """A system account relaying the requester's own evaluation (好差评 feeds)."""
    return access.can_anywhere(user, "demand.submit")


# --- extra conditions on the demand --------------------------------------------------------
def _pending(demand: Demand) -> bool:
    """An extension request awaits a decision (read once per demand object)."""
    if "_pending_extension" not in demand.__dict__:
        demand.__dict__["_pending_extension"] = demand.extension_requests.filter(
            status=ExtensionStatus.PENDING).exists()
    return demand.__dict__["_pending_extension"]


def _no_pending(demand: Demand) -> bool:
    return not _pending(demand)


def _classified(demand: Demand) -> bool:
    return demand.category_id is not None


def _visited(demand: Demand) -> bool:
    return demand.visited_at is not None


# --- references, resolved alike for every interface ----------------------------------------
def dispatchable_units():
    """Units a demand can be sent to: active, not offices or Party branches (by code)."""
    return [(unit.code, unit.display_name) for unit in Unit.objects.filter(is_active=True)
            .exclude(kind__in=[UnitKind.OFFICE, UnitKind.BRANCH]).order_by("path")]


def resolve_unit(user, value) -> Unit:
    """A unit by its code (also accepts the id systems may hold)."""
    if isinstance(value, Unit):
        return value
    text = str(value).strip()
    unit = Unit.objects.filter(code=text).first()
    if unit is None and text.isdigit():
        unit = Unit.objects.filter(pk=int(text)).first()
    if unit is None or not unit.is_active:
        raise ActionError("invalid", "请选择有效的责任单位。", "unit")
    return unit


def leaf_categories():
    """The categories a demand can be given: active leaves, by major category."""
    return [(code, f"{group} · {label}") for group, items in queries.leaf_categories()[1:]
            for code, label in items]


def resolve_category(user, value) -> Category:
    return classification.leaf_category(value)


def resolve_demand(user, value) -> Demand:
    """Another demand by its tracking number, as typed (spaces, lower case), among the
    demands ``user`` may see."""
    number = str(value).strip().upper()
    found = access.filter_for(user, "demand.view", Demand.objects.all()).filter(
        number=number).first()
    if found is None:
        raise ActionError("invalid", f"找不到诉求 {number}。", "into")
    return found


def _evaluate_relayed(actor, demand, level, comment):
    return replies.evaluate(actor, demand, level, EvaluationSource.API, comment)


NOTE = Input("note", "说明", "longtext", required=False, max_length=500)
REQUIRED_NOTE = Input("note", "说明", "longtext", max_length=500)
LEVELS = tuple(Level.choices)

CATALOGUE = Catalogue("demand", [
    Transition("receive", "受理", handover.receive, (S.SUBMITTED,),
               capability("demand.receive")),
    Transition("classify", "分类", classification.classify, classification.CLASSIFY_STATES,
               triage.may_triage, (
                   Input("category", "类别", "ref", choices=leaf_categories,
                         resolve=resolve_category, assist="category_suggestions"),
                   NOTE), guard=classification.needs_category,
               help="按类别的承诺时限从受理时起重新计时"),
    Transition("dispatch", "派遣", handover.dispatch, (S.RECEIVED,),
               capability("demand.dispatch"), (
                   Input("unit", "责任单位", "ref", choices=dispatchable_units,
                         resolve=resolve_unit),
                   NOTE), guard=_classified),
    Transition("accept", "签收", handover.accept, (S.DISPATCHED,),
               capability("demand.handle")),
    Transition("reply", "答复", replies.reply, (S.HANDLING,), capability("demand.handle"), (
        Input("content", "答复内容", "longtext", max_length=2000, assist="reply_templates"),)),
    Transition("answer_follow_up", "整改答复", replies.answer_follow_up, (S.FOLLOW_UP,),
               capability("demand.handle"), (
                   Input("content", "整改答复内容", "longtext", max_length=2000,
                         assist="reply_templates"),)),
    Transition("return", "退单", handover.return_, (S.DISPATCHED, S.HANDLING),
               capability("demand.handle"), (
                   Input("reason", "退单理由", "longtext", max_length=500),)),
    Transition("transfer", "转办", handover.transfer, (S.DISPATCHED, S.HANDLING),
               capability("demand.transfer"), (
                   Input("unit", "转至单位", "ref", choices=dispatchable_units,
                         resolve=resolve_unit),
                   Input("reason", "转办理由", "longtext", max_length=500))),
    Transition("request_extension", "申请延期", extensions.request_extension,
               (S.HANDLING, S.FOLLOW_UP), capability("demand.handle"), (
                   Input("extra_days", "延长工作日", "int", min_value=1,
                         max_value=MAX_EXTENSION_DAYS),
                   Input("reason", "延期理由", "longtext", max_length=500)),
               guard=_no_pending),
    Transition("approve_extension", "批准延期", extensions.approve_extension,
               (S.HANDLING, S.FOLLOW_UP), capability("demand.approve_extension"), (
                   Input("note", "审批意见", "longtext", required=False, max_length=500),),
               guard=_pending),
    Transition("refuse_extension", "驳回延期", extensions.refuse_extension,
               (S.HANDLING, S.FOLLOW_UP), capability("demand.approve_extension"), (
                   Input("note", "驳回理由", "longtext", max_length=500),),
               guard=_pending),
    Transition("visit", "回访", replies.record_visit, (S.REPLIED,), capability("demand.visit"), (
        Input("reached", "回访结果", "bool",
              choices=(("yes", "已联系上诉求人"), ("no", "未能联系上"))),
        Input("level", "满意度", "choice", required=False, choices=LEVELS,
              help="联系上诉求人时必填"),
        Input("note", "回访情况", "longtext", required=False, max_length=500,
              help="未能联系上时必填"))),
    Transition("close", "办结", replies.close, (S.REPLIED,), capability("demand.visit"), (
        Input("note", "办结说明", "longtext", max_length=500),), guard=_visited,
        help="回访联系不上诉求人时，记录回访情况后办结"),
    Transition("urge", "催办", oversight.urge, CLOCK_STATES, capability("demand.urge"), (
        Input("note", "催办说明", "longtext", required=False, max_length=500),)),
    Transition("supervise", "督办", oversight.supervise, OPEN_STATES,
               capability("demand.supervise"), (
                   Input("instruction", "督办要求", "longtext", max_length=1000),
                   Input("respond_by", "反馈期限", "datetime", required=False))),
    Transition("merge", "并单", triage.merge, (S.SUBMITTED, S.RECEIVED), triage.may_triage, (
        Input("into", "并入诉求编号", "ref", max_length=20, resolve=resolve_demand),)),
    Transition("invalidate", "作废", triage.invalidate, (S.SUBMITTED, S.RECEIVED),
               triage.may_triage, (
                   Input("reason", "作废理由", "longtext", max_length=500),)),
    # Staff record the requester's judgement by a return visit (回访); a system relays
    # the requester's own evaluation through the API.
    Transition("evaluate", "回传评价", _evaluate_relayed, (S.REPLIED,), relays_evaluations, (
        Input("level", "评价等级", "choice", choices=LEVELS),
        Input("comment", "评价意见", "longtext", required=False, max_length=1000)),
        surfaces=frozenset({"api"})),
])

LABELS = {transition.name: transition.label for transition in CATALOGUE}


def available(user, demand: Demand, surface: str = "console") -> list[str]:
    """The names of the actions ``user`` could take on ``demand`` now (the action itself
    checks again under the row lock)."""
    return [transition.name for transition in CATALOGUE.available(user, demand, surface)]
