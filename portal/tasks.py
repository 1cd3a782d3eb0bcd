from celery import shared_task


@shared_task
def refresh_statistics() -> str:
    """Keep the public statistics page warm in the cache (see portal.statistics)."""
    from . import statistics

    data = statistics.refresh()
    return f"{data['start']}…{data['end']}"
