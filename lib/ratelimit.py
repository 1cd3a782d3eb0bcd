"""Fixed-window rate limits on the shared cache (per IP, per phone …)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def allow(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one event for (scope, key); False once more than ``limit`` happened in the
    current window. Keys are hashed, so no phone number lands in the cache in clear."""
    from django.conf import settings

    if not settings.RATE_LIMITS:
        return True
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:24]
    cache_key = f"sanmanyi:rl:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit


def client_ip(request) -> str:
    from django.conf import settings

    if settings.TRUST_X_FORWARDED_PROTO:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
