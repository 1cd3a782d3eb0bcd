"""Fixed-window rate limits on the shared cache (per IP, per phone, per tracking number …).

``allow`` counts every attempt; ``count`` and ``hit`` serve limits on *failed* attempts
only (a wrong phone suffix for one tracking number): look before trying, count after
failing. Keys are hashed, so no phone number or token lands in the cache in clear.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _enabled() -> bool:
    from django.conf import settings

    return settings.RATE_LIMITS


def _cache_key(scope: str, key: str, window_seconds: int) -> str:
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:24]
    return f"sanmanyi:rl:{scope}:{digest}:{window}"


def hit(scope: str, key: str, window_seconds: int) -> int:
    """Count one event for (scope, key) in the current window; the count so far."""
    cache_key = _cache_key(scope, key, window_seconds)
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        return 1


def count(scope: str, key: str, window_seconds: int) -> int:
    """Events counted for (scope, key) in the current window, without counting one."""
    return cache.get(_cache_key(scope, key, window_seconds), 0)


def allow(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one event for (scope, key); False once more than ``limit`` happened in the
    current window."""
    if not _enabled():
        return True
    return hit(scope, key, window_seconds) <= limit


def exhausted(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """True once ``limit`` events (failures) were counted in the current window."""
    return _enabled() and count(scope, key, window_seconds) >= limit


def client_ip(request) -> str:
    from django.conf import settings

    if settings.TRUST_X_FORWARDED_PROTO:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
