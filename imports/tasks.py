from celery import shared_task

from . import jobs, runner


@shared_task(acks_late=True)
def run_job(job_id: int) -> str:
    """Import one file (queued by the console or ``import_demands --queue``)."""
    try:
        job = runner.run(job_id)
    except Exception as error:  # recorded on the job for the user, then re-raised
        jobs.fail(job_id, f"导入中断：{error}")
        raise
    return job.state


@shared_task
def resume_stale() -> int:
    """Every minute (beat): queue again the jobs whose worker died mid-file."""
    count = 0
    for job in jobs.stale_jobs():
        jobs.resume(None, job)
        count += 1
    return count
