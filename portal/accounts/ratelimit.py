"""A fixed-window request limit per client, kept in the cache (Redis in production)."""

import time

from django.core.cache import cache


def client_address(request) -> str:
    """The client's address as the server saw it. Behind a proxy, set it from the proxy's
    header in the proxy or middleware; trusting a header blindly would let anyone reset it."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request, *, scope: str, limit: int, period: int = 60) -> bool:
    """Count this request against ``limit`` per ``period`` seconds; False once over it."""
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    if cache.add(key, 1, timeout=period + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return True
    return count <= limit
