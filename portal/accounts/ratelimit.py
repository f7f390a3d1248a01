"""A fixed-window request limit per client, kept in the cache (Redis in production)."""

import logging
import time

from allauth.core.internal.httpkit import get_client_ip
from allauth.core.internal.ratelimit import truncate_ip
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The client's address, as allauth reads it for its own rate limits: REMOTE_ADDR, or with
    ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies in front, the address they put in
    X-Forwarded-For (a header from the client alone is never trusted)."""
    try:
        address = get_client_ip(request)
    except ImproperlyConfigured:  # fewer forwarded addresses than proxies: not via them
        address = request.META.get("REMOTE_ADDR", "")
    return address or "unknown"


def client_network(request) -> str:
    """What a limit counts as one client: an IPv4 address, or the /64 network of an IPv6
    one (``ALLAUTH_RATE_LIMIT_IPV6_PREFIX``), as allauth counts its own. A single IPv6
    subscriber is given a whole /64, so counting full addresses would give an attacker 2**64
    fresh counts."""
    return truncate_ip(client_address(request))


def allow(request, *, scope: str, limit: int, period: int = 60, per_client: bool = True) -> bool:
    """Count this request against ``limit`` per ``period`` seconds; False once over it.

    The count is per client within ``scope`` (an IPv4 address or an IPv6 /64, as
    ``client_network`` says); with ``per_client`` off it is for the scope alone (a scope
    naming a person and a thing: changing addresses buys no more tries).

    When the cache cannot be reached the request is let through (and logged): the limit
    protects the public pages, it must not take them down with the cache."""
    try:
        return _allow(request, scope=scope, limit=limit, period=period, per_client=per_client)
    except Exception:
        logger.warning("Rate limit not counted: the cache is unreachable", exc_info=True)
        return True


def _allow(request, *, scope: str, limit: int, period: int, per_client: bool) -> bool:
    window = int(time.time() // period)
    client = client_network(request) if per_client else "any"
    key = f"ratelimit:{scope}:{client}:{window}"
    counted = _redis_count(key, timeout=period + 1)
    if counted is not None:
        return counted <= limit
    if cache.add(key, 1, timeout=period + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return True
    return count <= limit


def _redis_count(key: str, *, timeout: int) -> int | None:
    """With Redis as the cache, start the window if new and count this request in one round
    trip (``add`` then ``incr`` take three). None with any other cache."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    full_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(full_key, write=True)
    with client.pipeline(transaction=False) as pipe:
        pipe.set(full_key, 0, ex=timeout, nx=True)
        pipe.incr(full_key)
        return pipe.execute()[1]


def retry_after(period: int = 60) -> int:
    """Seconds until the current window ends and a refused client may try again."""
    return max(1, period - int(time.time()) % period)
