"""The worker's part: gather a bulletin's data, fill the template, keep the file, and say
how far it has got (``progress``, read by the console's progress bar). Each step is
committed on its own so the page sees it; the file is written in one transaction at the
end, and only into a draft that is still waiting for it."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from lib.errors import ActionError

from . import actions, data, render
from .models import Bulletin, Generation, State


def _step(bulletin_id: int, percent: int) -> None:
    Bulletin.objects.filter(pk=bulletin_id, generation=Generation.RUNNING).update(
        progress=percent)


@transaction.atomic
def start(bulletin_id: int) -> Bulletin | None:
    """Mark a queued (or interrupted) generation running; ``None`` when there is nothing
    to do (issued meanwhile, already done, or gone)."""
    bulletin = Bulletin.objects.select_for_update().filter(pk=bulletin_id).first()
    if bulletin is None or bulletin.state != State.DRAFT or not bulletin.working:
        return None
    bulletin.generation = Generation.RUNNING
    bulletin.progress = 5
    bulletin.message = ""
    bulletin.save(update_fields=["generation", "progress", "message"])
    return bulletin


def fail(bulletin_id: int, message: str) -> None:
    Bulletin.objects.filter(pk=bulletin_id, generation__in=[
        Generation.QUEUED, Generation.RUNNING]).update(generation=Generation.FAILED,
                                                      message=message[:300])


@transaction.atomic
def finish(bulletin_id: int, blob: bytes, template) -> str:
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin_id)
    if bulletin.state != State.DRAFT or bulletin.generation != Generation.RUNNING:
        return "skipped"
    previous = bulletin.generated_file.name
    bulletin.generated_file.save(f"{uuid.uuid4().hex}.docx", ContentFile(blob), save=False)
    bulletin.generation = Generation.DONE
    bulletin.progress = 100
    bulletin.generated_at = timezone.now()
    bulletin.template = template
    bulletin.save(update_fields=["generated_file", "generation", "progress", "generated_at",
                                 "template"])
    if previous:
        transaction.on_commit(lambda: bulletin.generated_file.storage.delete(previous))
    return "done"


def run(bulletin_id: int) -> str:
    """Generate one bulletin: "done", "failed" (the reason kept on the bulletin, in
    Chinese) or "skipped"."""
    bulletin = start(bulletin_id)
    if bulletin is None:
        return "skipped"
    try:
        template = actions.active_template()
        source = actions.template_bytes(template)
        context = data.gather(bulletin.period_start, bulletin.period_end,
                              step=lambda percent: _step(bulletin_id, percent))
        context.update(render.title_block(bulletin, timezone.localdate()))
        blob = render.render(source, context)
        _step(bulletin_id, 90)
    except ActionError as error:
        fail(bulletin_id, error.message)
        return "failed"
    except Exception as error:  # recorded for the office, then re-raised for the log
        fail(bulletin_id, f"生成中断：{error}")
        raise
    return finish(bulletin_id, blob, template)
