"""An import job's life: uploaded (a draft waiting for its mapping) → confirmed and queued
→ running → done, or failed and resumed. Every change of a job's state is made here; the
rows themselves are read and written by ``imports.runner``."""

from __future__ import annotations

import datetime as dt
import hashlib

from celery import current_app
from django.core.files.base import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lib.errors import ActionError
from org import access

from .mapping import check_mapping, guess_mapping, remember
from .models import Job, JobState, Source
from .readers import open_table

MAX_UPLOAD_BYTES = 300 * 1024 * 1024
# A running job whose worker has not committed for this long is taken to be dead and is
# queued again by the beat (see imports.tasks.resume_stale).
STALE_AFTER = dt.timedelta(minutes=3)


def digest(fileobj) -> str:
    """SHA-256 of the whole file (the file is left at its start)."""
    fileobj.seek(0)
    value = hashlib.file_digest(fileobj, "sha256").hexdigest()
    fileobj.seek(0)
    return value


def unfinished(source: Source, fileobj) -> Job | None:
    """The newest job of this very file from this source that has not finished: running
    the import of the same file again resumes it."""
    return source.jobs.filter(sha256=digest(fileobj), state__in=[
        JobState.QUEUED, JobState.RUNNING, JobState.FAILED]).order_by("-pk").first()


def _require(actor):
    if actor is not None and not access.can_anywhere(actor, "import.run"):
        raise ActionError("forbidden", "您没有导入诉求的权限。")


@transaction.atomic
def upload(actor, source: Source, fileobj, name: str) -> Job:
    """Keep the file and read its header row: a draft job waiting for its mapping."""
    _require(actor)
    size = getattr(fileobj, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ActionError("invalid", f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，"
                                     "请分成几个文件，或用命令行导入。", "file")
    table = open_table(fileobj, name)  # refuses what cannot be read, before keeping it
    job = Job(source=source, original_name=name[:200], sha256=digest(fileobj),
              headers=table.headers, total=table.total, state=JobState.DRAFT,
              mapping=guess_mapping(table.headers, source.mapping),
              created_by=actor if actor is not None and actor.is_authenticated else None)
    fileobj.seek(0)
    job.file.save(name[-100:], File(fileobj, name=name[-100:]), save=False)
    job.save()
    return job


def confirm(actor, job: Job, mapping: dict, auto_category: float | None = None) -> Job:
    """Fix the mapping (remembered for the source's next file) and queue the job for a
    worker."""
    job = confirm_here(actor, job, mapping, auto_category)
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


@transaction.atomic
def confirm_here(actor, job: Job, mapping: dict, auto_category: float | None = None) -> Job:
    """Fix the mapping and mark the job queued; the caller runs it (command line).
    ``auto_category`` (0–1): new demands without a category get the routing model's guess
    when it is at least this sure."""
    _require(actor)
    if auto_category is not None and not 0 < auto_category <= 1:
        raise ActionError("invalid", "智能分类的置信度阈值应在 0 到 1 之间（如 0.8）。",
                          "auto_category")
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state != JobState.DRAFT:
        raise ActionError("wrong_state",
                          f"该导入任务已{job.get_state_display()}，不能再修改列对应。")
    mapping = check_mapping(mapping, job.headers)
    job.mapping = mapping
    job.auto_category = auto_category
    job.state = JobState.QUEUED
    job.save(update_fields=["mapping", "auto_category", "state"])
    remember(job.source_id, mapping)
    return job


RUN_JOB_TASK = "imports.tasks.run_job"


def enqueue(job_id: int) -> None:
    """Hand the job to a worker. The task is named, not imported: ``imports.tasks`` calls
    this module, which would otherwise import it back."""
    current_app.send_task(RUN_JOB_TASK, args=[job_id])


@transaction.atomic
def resume(actor, job: Job, *, queue: bool = True) -> Job:
    """Queue an unfinished job again (after a failure, or a worker that died); with
    ``queue=False`` the caller runs it (the command line)."""
    _require(actor)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state not in (JobState.RUNNING, JobState.FAILED, JobState.QUEUED):
        raise ActionError("wrong_state", f"该导入任务{job.get_state_display()}，无需继续。")
    job.state = JobState.QUEUED
    job.message = ""
    job.save(update_fields=["state", "message"])
    if queue:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


@transaction.atomic
def start(job_id: int) -> Job:
    """Mark a queued (or interrupted) job running; a draft or finished one is returned as
    it is, for the caller to leave alone."""
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.state in (JobState.DONE, JobState.DRAFT):
        return job
    job.state = JobState.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.beat_at = timezone.now()
    job.save(update_fields=["state", "started_at", "beat_at"])
    return job


def finish(job_id: int) -> Job:
    """Every row has its outcome: the job is done, its total the rows read."""
    Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        state=JobState.DONE, finished_at=timezone.now(), total=F("done"))
    return Job.objects.get(pk=job_id)


def fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).exclude(state=JobState.DONE).update(
        state=JobState.FAILED, message=message[:500], finished_at=timezone.now())


def stale_jobs():
    """Running jobs whose worker stopped committing, and queued ones nobody picked up."""
    limit = timezone.now() - STALE_AFTER
    return Job.objects.filter(state__in=[JobState.RUNNING, JobState.QUEUED]).filter(
        Q(beat_at__lt=limit) | Q(beat_at__isnull=True, created_at__lt=limit))
