from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from lib.heartbeat import worker_status


@never_cache
def healthz(request):
    """Liveness for load balancers and the smoke test: the database answers, and when
    the background worker last reported."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any failure means "not healthy"; the body says which part
        database = "error"
    beat, fresh = worker_status()
    body = {"database": database, "worker": "ok" if fresh else "stale",
            "worker_last_heartbeat": beat.isoformat() if beat else None}
    return JsonResponse(body, status=200 if database == "ok" else 503)
