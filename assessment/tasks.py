from celery import shared_task

from . import jobs


@shared_task(acks_late=True)
def compute_assessment(assessment_id: int, actor_id: int) -> str:
    """Compute one assessment's scores (queued by the console's 计算得分 button)."""
    return jobs.run(assessment_id, actor_id).compute_state
