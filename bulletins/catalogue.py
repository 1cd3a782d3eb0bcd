"""Every transition of a bulletin, declared once (the pattern: ``lib/transitions.py``).
The console's buttons on a bulletin's page are generated from it. Bulletins have no API:
the office works on them in the console only, so every transition's surface is the
console. Uploading the edited copy takes a file and is its own form
(``actions.upload_edited``)."""

from __future__ import annotations

from lib.transitions import Catalogue, Transition

from . import actions
from .models import Generation
from .models import State as S

CONSOLE = frozenset({"console"})


def manages(user, _bulletin) -> bool:
    return actions.may_manage(user)


manages.capability = "bulletin.manage"


def _generated(bulletin) -> bool:
    return bulletin.generation == Generation.DONE and bool(bulletin.generated_file)


def _not_working(bulletin) -> bool:
    return not actions._busy(bulletin)


def _public(bulletin) -> bool:
    return bulletin.public


def _not_public(bulletin) -> bool:
    return not bulletin.public


CATALOGUE = Catalogue("bulletin", [
    Transition("issue", "印发", actions.issue, (S.DRAFT,), manages, guard=_generated,
               surfaces=CONSOLE,
               help="印发后文件冻结，不能再重新生成或上传修改稿；有修改稿的印发修改稿"),
    Transition("regenerate", "重新生成", actions.regenerate, (S.DRAFT,), manages,
               guard=_not_working, surfaces=CONSOLE,
               help="按当前数据和启用的模板重新生成；已上传的修改稿将作废"),
    Transition("publish", "在门户公开", actions.publish, (S.DRAFT, S.ISSUED), manages,
               guard=_not_public, surfaces=CONSOLE,
               help="印发后在公众门户“工作通报”中列出，供下载"),
    Transition("unpublish", "取消公开", actions.unpublish, (S.DRAFT, S.ISSUED), manages,
               guard=_public, surfaces=CONSOLE),
])

LABELS = {transition.name: transition.label for transition in CATALOGUE}


def available(user, bulletin, surface: str = "console") -> list[str]:
    return [transition.name for transition in CATALOGUE.available(user, bulletin, surface)]
