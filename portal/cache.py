"""Django's Redis cache backend, with one client per connection pool, and a cache that gives
way when Redis cannot be reached.

- Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call,
  and each one fills a table of some 170 response callbacks: about a tenth of a millisecond per
  call, which is most of what the busiest public page (the verification page: a rate-limit
  count and one cached page) spends in Python. The client object is safe to share between
  threads (its connections come from the pool), so one per pool is kept.
- The cache only ever holds what can be computed again (Wagtail's site paths, rendered public
  pages, rate-limit counters, the dashboard's flags; sessions live in the database). So when
  Redis is down, a read is a miss and a write is dropped, with a warning in the log, and the
  site goes on from the database instead of failing every page (django-redis calls this
  ``IGNORE_EXCEPTIONS``). Rate limits let requests through meanwhile.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger(__name__)

# What each operation answers while Redis cannot be reached: what an empty cache would.
_WHEN_DOWN = {
    "add": False,
    "get": "default",
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": [],
    "delete_many": None,
    "clear": False,
}


def _giving_way(name, method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (self._lib.exceptions.ConnectionError, self._lib.exceptions.TimeoutError):
            logger.warning("Cache unreachable: %s given up", name, exc_info=True)
            answer = _WHEN_DOWN[name]
            if answer == "default":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            return answer.copy() if isinstance(answer, dict | list) else answer

    return call


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except (self._lib.exceptions.ConnectionError, self._lib.exceptions.TimeoutError):
            logger.warning("Cache unreachable: incr given up", exc_info=True)
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).") from None


for _name in _WHEN_DOWN:
    setattr(
        PooledClientRedisCacheClient,
        _name,
        _giving_way(_name, getattr(RedisCacheClient, _name)),
    )


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
