"""Every transition of a practical project, declared once (the pattern:
``lib/transitions.py``; the first catalogue is ``demands/catalogue.py``). The console's
panels and buttons — and the API when it takes projects — are generated from it."""

from __future__ import annotations

from lib.transitions import Catalogue, Input, Transition
from org import access

from . import actions, commitments
from .models import CommitmentState as C
from .models import MilestoneState
from .models import ProjectState as S


def capability(name: str):
    def allowed(user, project) -> bool:
        return actions.may(user, name, project)
    allowed.capability = name
    return allowed


def _not_office_approved(project) -> bool:
    return project.office_approved_at is None


def _office_approved(project) -> bool:
    return project.office_approved_at is not None


def _milestones_done(project) -> bool:
    """Read once per project object (the panel asks for every transition)."""
    if "_milestones_open" not in project.__dict__:
        project.__dict__["_milestones_open"] = project.milestones.exclude(
            state=MilestoneState.DONE).exists()
    return not project.__dict__["_milestones_open"]


NOTE = Input("note", "说明", "longtext", required=False, max_length=500)

CATALOGUE = Catalogue("project", [
    Transition("office_approve", "办公室审核", actions.office_approve, (S.DRAFT,),
               capability("project.approve_office"), (
                   Input("note", "审核意见", "longtext", required=False, max_length=500),),
               guard=_not_office_approved, help="审核后报局领导批准，批准即公示"),
    Transition("leader_approve", "批准并公示", actions.leader_approve, (S.DRAFT,),
               capability("project.approve"), (
                   Input("note", "批示", "longtext", required=False, max_length=500),),
               guard=_office_approved, help="批准后项目在门户网站公示，接受群众监督"),
    Transition("start", "开始推进", actions.start, (S.PUBLISHED,),
               capability("project.edit")),
    Transition("post_update", "发布进展", actions.post_update,
               (S.PUBLISHED, S.IN_PROGRESS, S.DELAYED), capability("project.edit"), (
                   Input("text", "进展内容", "longtext", max_length=2000),
                   Input("photo_files", "现场照片（最多 9 张）", "photos", required=False,
                         help="JPEG、PNG 或 WebP，每张不超过 10 MB；位置等拍摄信息会被去除"))),
    Transition("delay", "延期", actions.delay, (S.PUBLISHED, S.IN_PROGRESS),
               capability("project.edit"), (
                   Input("reason", "延期原因", "longtext", max_length=1000),
                   Input("deadline", "新的完成时限", "date")),
               help="延期原因和新时限将公示"),
    Transition("resume", "恢复推进", actions.resume, (S.DELAYED,), capability("project.edit"),
               (NOTE,)),
    Transition("complete", "确认完成", actions.complete, (S.IN_PROGRESS, S.DELAYED),
               capability("project.edit"), (
                   Input("summary", "完成情况", "longtext", max_length=2000),),
               guard=_milestones_done, help="完成后群众可在门户网站评价"),
    Transition("cancel", "撤销", actions.cancel,
               (S.DRAFT, S.PUBLISHED, S.IN_PROGRESS, S.DELAYED), capability("project.approve"),
               (Input("reason", "撤销原因", "longtext", max_length=1000),)),
])

LABELS = {transition.name: transition.label for transition in CATALOGUE}


def available(user, project, surface: str = "console") -> list[str]:
    return [transition.name for transition in CATALOGUE.available(user, project, surface)]


# --- commitments (承诺): publish, fulfil, cancel ------------------------------------------
def commitment_capability(name: str):
    def allowed(user, commitment) -> bool:
        return access.can(user, name, commitment)
    allowed.capability = name
    return allowed


COMMITMENT_CATALOGUE = Catalogue("commitment", [
    Transition("publish", "公示", commitments.publish, (C.DRAFT,),
               commitment_capability("commitment.publish"),
               help="公示后承诺在门户网站向社会公开，接受群众监督"),
    Transition("fulfil", "确认兑现", commitments.fulfil, (C.OPEN,),
               commitment_capability("commitment.edit"), (
                   Input("evidence", "兑现情况", "longtext", max_length=2000),),
               help="写明做了什么、何时完成；兑现情况将公示"),
    Transition("cancel", "撤销", commitments.cancel, (C.DRAFT, C.OPEN),
               commitment_capability("commitment.publish"), (
                   Input("reason", "撤销原因", "longtext", max_length=1000),)),
])
