"""The Redis cache backend keeps one client per connection pool (portal/cache.py) and still
behaves as Django's: values round-trip, counters count, keys expire."""

import time

import pytest
from django.core.cache import cache, caches

pytestmark = pytest.mark.services


def test_the_cache_is_redis_with_one_client_per_pool():
    from portal.cache import RedisCache

    assert isinstance(caches["default"], RedisCache)
    client = cache._cache.get_client("a", write=True)
    assert cache._cache.get_client("b", write=True) is client
    assert client.ping()


def test_values_counters_and_expiry_behave_as_djangos():
    cache.set("portal-test:value", {"证书": [1, 2]}, 30)
    assert cache.get("portal-test:value") == {"证书": [1, 2]}
    assert cache.add("portal-test:counter", 0, 30)
    assert not cache.add("portal-test:counter", 5, 30)
    assert cache.incr("portal-test:counter") == 1
    assert cache.get_many(["portal-test:value", "portal-test:counter", "portal-test:none"]) == {
        "portal-test:value": {"证书": [1, 2]},
        "portal-test:counter": 1,
    }
    cache.set("portal-test:short", 1, 1)
    time.sleep(1.2)
    assert cache.get("portal-test:short") is None
    cache.delete_many(["portal-test:value", "portal-test:counter"])


def test_an_unreachable_redis_reads_as_empty_and_drops_writes(settings):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    down = caches["default"]
    assert down.get("anything") is None
    assert down.get("anything", "fallback") == "fallback"
    assert down.get_many(["a", "b"]) == {}
    down.set("a", 1)
    assert down.add("a", 1) is False
    assert down.has_key("a") is False
    with pytest.raises(ValueError):
        down.incr("a")
