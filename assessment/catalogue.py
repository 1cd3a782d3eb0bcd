"""Every transition of an assessment and of an objection, declared once (the pattern:
``lib/transitions.py``; see ``demands/catalogue.py``). The console's buttons and forms are
generated from these lists; each ``perform`` is the domain action, which checks the
permission and the state again under its row lock."""

from __future__ import annotations

from lib.transitions import Catalogue, Input, Transition

from . import actions, jobs
from .models import AssessmentState as S
from .models import ObjectionState as O


def _manager(user, _assessment) -> bool:
    return actions.may_manage(user)


_manager.capability = "assessment.manage"


def _decider(user, _objection) -> bool:
    return actions.may_decide(user)


_decider.capability = "objection.decide"


def _idle(assessment) -> bool:
    return not assessment.computing


def _computed(assessment) -> bool:
    return not assessment.computing and assessment.computed_at is not None


def _compute(actor, assessment):
    return jobs.request_compute(actor, assessment)


CATALOGUE = Catalogue("assessment", [
    Transition("compute", "计算得分", _compute, (S.DRAFT, S.PUBLISHED), _manager,
               guard=_idle, surfaces=frozenset({"console"}),
               help="按考核方案从诉求、目标任务、材料报送和实事项目数据重新计算各单位得分；"
                    "加减分和采纳的申诉在计算时计入"),
    Transition("publish", "公布", actions.publish, (S.DRAFT,), _manager, guard=_computed,
               surfaces=frozenset({"console"}),
               help="公布后各单位可查看本单位得分明细，并可对具体得分项提出申诉"),
    Transition("finalise", "定稿", actions.finalise, (S.PUBLISHED,), _manager,
               guard=_computed, surfaces=frozenset({"console"}),
               help="申诉全部处理、重新计算后定稿；定稿后不再变动"),
])

OBJECTION_CATALOGUE = Catalogue("objection", [
    Transition("accept", "采纳", actions.accept, (O.PENDING,), _decider, (
        Input("reason", "处理意见", "longtext", required=False, max_length=1000),
        Input("points", "同时加减分", "text", required=False, max_length=8,
              help="可为负数，如 2 或 -1.5；不填则只采纳（已更正数据的，重新计算即可）")),
        surfaces=frozenset({"console"}), help="采纳后重新计算，排名随之变化"),
    Transition("reject", "不予采纳", actions.reject, (O.PENDING,), _decider, (
        Input("reason", "不予采纳的理由", "longtext", max_length=1000),),
        surfaces=frozenset({"console"})),
])
