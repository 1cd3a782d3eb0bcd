from celery import shared_task

from . import generation


@shared_task(acks_late=True)
def generate(bulletin_id: int) -> str:
    """Generate one bulletin's .docx (queued by ``bulletins.actions`` after the commit)."""
    return generation.run(bulletin_id)
