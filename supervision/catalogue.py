"""Every transition of a supervision order, declared once (the pattern:
``lib/transitions.py``; the first catalogue is ``demands/catalogue.py``). The console's
panels and buttons are generated from it; each ``perform`` is the domain action, which
checks the permission and the state again under its row lock. Issuing an order creates
one and has its own form (``console/supervision_views.py``)."""

from __future__ import annotations

from lib.transitions import Catalogue, Input, Transition
from org import access

from . import actions
from .models import AWAITING_STATES, SubjectKind, SupervisionOrder
from .models import OrderState as S


def capability(name: str):
    def allowed(user, order) -> bool:
        return access.can(user, name, order)
    allowed.capability = name
    return allowed


def may_make_commitment(user, order: SupervisionOrder) -> bool:
    """Who decides on orders and may also enter the unit's commitments (the supervision
    office; the Party committee decides on orders but does not enter commitments)."""
    return access.can(user, "order.decide", order) and \
        access.can(user, "commitment.edit", order)


def _rectifiable(order: SupervisionOrder) -> bool:
    return order.subject_kind == SubjectKind.FINDING and order.rectification_id is None


CATALOGUE = Catalogue("order", [
    Transition("answer", "反馈", actions.answer, AWAITING_STATES,
               capability("order.answer"), (
                   Input("text", "反馈内容", "longtext", max_length=4000,
                         help="写明查了什么、做了什么、结果如何；退回后请针对退回理由补充。"),
                   Input("photos", "照片（最多 9 张）", "photos", required=False,
                         help="JPEG、PNG 或 WebP，每张不超过 10 MB；位置等拍摄信息会被去除"),
                   Input("files", "附件（最多 5 个）", "files", required=False,
                         help="PDF、Word、Excel、WPS 或 OFD，每个不超过 20 MB"))),
    Transition("accept", "办结", actions.accept, (S.ANSWERED,), capability("order.decide"), (
        Input("note", "办结意见", "longtext", required=False, max_length=1000),),
        help="反馈符合督办要求，督办单办结"),
    Transition("send_back", "退回", actions.send_back, (S.ANSWERED,),
               capability("order.decide"), (
                   Input("reason", "退回理由", "longtext", max_length=1000),),
               help="被督办单位须重新反馈，反馈期限不变"),
    Transition("to_commitment", "转为整改承诺", actions.to_commitment,
               actions.RECTIFIABLE_STATES, may_make_commitment, (
                   Input("deadline", "整改时限", "date"),
                   Input("content", "整改措施", "longtext", required=False, max_length=2000,
                         help="不填则采用被督办单位最近一次反馈的内容")),
               guard=_rectifiable, help="检查发现的问题转为被督办单位的整改承诺，待办公室公示"),
    Transition("cancel", "撤销", actions.cancel, AWAITING_STATES, capability("order.issue"), (
        Input("reason", "撤销原因", "longtext", max_length=1000),)),
])

LABELS = {transition.name: transition.label for transition in CATALOGUE}


def available(user, order: SupervisionOrder, surface: str = "console") -> list[str]:
    return [transition.name for transition in CATALOGUE.available(user, order, surface)]
