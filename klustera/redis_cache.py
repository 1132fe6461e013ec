"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for
every cache operation, and building one (its table of response callbacks)
costs more CPU than the round trip itself. A ``redis.Redis`` is thread-safe,
so one per pool serves every call.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis
from django.utils.functional import cached_property
from redis import RedisError

# A cache that cannot be reached: Redis's errors, or the file cache's disk.
CACHE_DOWN = (RedisError, OSError)


class _ReusingClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # The private attributes used here are Django's own (not in its type stubs).
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    @cached_property
    def _cache(self) -> _ReusingClient:
        return _ReusingClient(self._servers, **self._options)  # type: ignore[attr-defined]

    def client(self) -> Any:
        """The ``redis.Redis`` that writes: for what the cache API cannot say (a script)."""
        return self._cache.get_client(write=True)
