"""Computing an assessment in the worker: queued by the console's button, run by
``assessment.tasks.compute_assessment``, its progress on the assessment row for the
page's bar (written outside the computation's transaction, so the page sees it)."""

from __future__ import annotations

from celery import current_app
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lib.errors import ActionError

from . import actions
from .models import Assessment, ComputeState

TASK = "assessment.tasks.compute_assessment"


def enqueue(assessment_id: int, actor_id: int) -> None:
    """Hand the computation to a worker (the task is named, not imported: the task
    module imports this one)."""
    current_app.send_task(TASK, args=[assessment_id, actor_id])


@transaction.atomic
def request_compute(actor, assessment: Assessment) -> Assessment:
    """计算得分: queue the computation once (a second click while it is queued or running
    is refused)."""
    if not actions.may_manage(actor):
        raise ActionError("forbidden", "您没有管理考核的权限。")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.state == "final":
        raise ActionError("wrong_state", "该考核已定稿，不能重新计算。")
    if assessment.computing:
        raise ActionError("conflict", "正在计算得分，请稍候。")
    assessment.compute_state = ComputeState.QUEUED
    assessment.progress = 0
    assessment.compute_message = ""
    assessment.compute_requested_at = timezone.now()
    assessment.save(update_fields=["compute_state", "progress", "compute_message",
                                   "compute_requested_at"])
    actor_id = actor.pk
    transaction.on_commit(lambda: enqueue(assessment.pk, actor_id))
    return assessment


def _progress(assessment_id: int, percent: int) -> None:
    Assessment.objects.filter(pk=assessment_id).update(progress=min(max(percent, 0), 100))


def run(assessment_id: int, actor_id: int) -> Assessment:
    """The worker's part: mark running, compute with progress, record a failure in
    Chinese for the page (and re-raise what is not a refusal)."""
    Assessment.objects.filter(pk=assessment_id).update(
        compute_state=ComputeState.RUNNING, progress=0, compute_message="")
    actor = get_user_model().objects.get(pk=actor_id)
    assessment = Assessment.objects.get(pk=assessment_id)
    try:
        return actions.compute(actor, assessment,
                               report=lambda percent: _progress(assessment_id, percent))
    except ActionError as error:
        Assessment.objects.filter(pk=assessment_id).update(
            compute_state=ComputeState.FAILED, compute_message=error.message[:300])
        return Assessment.objects.get(pk=assessment_id)
    except Exception as error:
        Assessment.objects.filter(pk=assessment_id).update(
            compute_state=ComputeState.FAILED, compute_message=f"计算中断：{error}"[:300])
        raise
