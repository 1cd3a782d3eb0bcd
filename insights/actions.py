"""Decisions on what the system suggested: a duplicate flag merged (并单) or dismissed.

Like ``demands.actions``: each function runs in a transaction, locks the flag, checks the
actor and the state, and raises ``ActionError`` (in Chinese) without writing anything
when it refuses. The demand itself changes only through ``demands.actions``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from demands.actions import triage
from demands.models import Demand
from lib.errors import ActionError

from .models import DuplicateFlag, FlagState


def _locked_open_flag(actor, flag: DuplicateFlag, verb: str) -> DuplicateFlag:
    flag = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
    demand = Demand.objects.select_related("current_unit").get(pk=flag.demand_id)
    if not triage.may_triage(actor, demand):
        raise ActionError("forbidden", f"您没有权限对诉求 {demand.number} 执行“{verb}”。")
    if flag.state != FlagState.OPEN:
        who = ""
        if flag.decided_by is not None:
            staff = getattr(flag.decided_by, "staff", None)
            who = getattr(staff, "full_name", "") or flag.decided_by.get_username()
        raise ActionError("wrong_state", f"该疑似重复已处理（{flag.get_state_display()}"
                                         f"{'，' + who if who else ''}），无需再次{verb}。")
    flag.demand = demand
    return flag


@transaction.atomic
def merge_flag(actor, flag: DuplicateFlag, at=None) -> DuplicateFlag:
    """并单: merge the flagged demand into the flag's original (``demands.actions.merge``:
    only while the demand waits to be received or dispatched); this flag becomes merged
    and the demand's other open flags dismissed."""
    at = at or timezone.now()
    flag = _locked_open_flag(actor, flag, "并单")
    original = Demand.objects.get(pk=flag.original_id)
    try:
        triage.merge(actor, flag.demand, into=original, at=at)
    except ActionError as error:
        if error.code == "wrong_state":
            raise ActionError(error.code, f"{error.message}只有待受理、待派遣的诉求可以并单。",
                              error.field) from None
        raise
    flag.state, flag.decided_by, flag.decided_at = FlagState.MERGED, actor, at
    flag.save(update_fields=["state", "decided_by", "decided_at"])
    DuplicateFlag.objects.filter(demand_id=flag.demand_id, state=FlagState.OPEN) \
        .exclude(pk=flag.pk).update(state=FlagState.DISMISSED, decided_by=actor, decided_at=at)
    return flag


@transaction.atomic
def dismiss_flag(actor, flag: DuplicateFlag, at=None) -> DuplicateFlag:
    """非重复: the demand is not a repeat of this original. When no flag of the demand is
    left open (or merged), it no longer counts as a repeat."""
    at = at or timezone.now()
    flag = _locked_open_flag(actor, flag, "标记非重复")
    flag.state, flag.decided_by, flag.decided_at = FlagState.DISMISSED, actor, at
    flag.save(update_fields=["state", "decided_by", "decided_at"])
    if not DuplicateFlag.objects.filter(demand_id=flag.demand_id).exclude(
            state=FlagState.DISMISSED).exists():
        triage.mark_repeat([flag.demand_id], repeat=False)
    return flag
