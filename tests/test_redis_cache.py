"""Our Redis cache leans on Django's private internals; this fails loudly when they change.

``klustera.redis_cache`` reuses one ``redis.Redis`` per connection pool by
overriding ``RedisCacheClient.get_client`` and calling Django's private
``_get_connection_pool``, ``_client``, ``_servers`` and ``_options``. A
Django upgrade that renames them must break this test, not production.
"""

from __future__ import annotations

import inspect

import pytest
from django.core.cache.backends import redis as django_redis

from conftest import REDIS_URL, need
from klustera.redis_cache import RedisCache


def test_the_private_internals_we_use_are_still_there() -> None:
    client = django_redis.RedisCacheClient
    assert list(inspect.signature(client._get_connection_pool).parameters) == ["self", "write"]
    assert list(inspect.signature(client.get_client).parameters) == ["self", "key", "write"]
    assert "self._client = " in inspect.getsource(client.__init__)
    backend_init = inspect.getsource(django_redis.RedisCache.__init__)
    assert "self._servers" in backend_init and "self._options" in backend_init
    assert "_cache" in vars(django_redis.RedisCache)


@pytest.mark.services
def test_one_client_serves_every_call_and_the_cache_works() -> None:
    need("redis")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "redis-cache-test"})
    cache.set("answer", 42, timeout=30)
    assert cache.get("answer") == 42
    first = cache._cache.get_client("answer")
    assert cache._cache.get_client("other", write=False) is first
    cache.delete("answer")
    assert cache.get("answer") is None
