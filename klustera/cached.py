"""Values many requests read, kept in the cache: read through, and new after every write.

A reader that misses loads the database and *adds* the value (never overwrites one). A
write makes it new in one of two ways: the key carries a stamp of what the value is read
from (``timestamps.changes_stamp``: the dashboard), or the writer calls ``forget``, which
drops the key at once and again when its transaction commits, also clearing a value a
reader loaded meanwhile. Left over is a reader that loaded before the commit and adds after
it: the entry's short lifetime bounds that. The cache down: the database answers. Keys
carry the complex (``tenancy.cache``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from django.core.cache import cache

from klustera.redis_cache import CACHE_DOWN
from klustera.tenancy.context import on_commit_in_scope

T = TypeVar("T")


def read_through(key: str, load: Callable[[], T], *, seconds: int) -> T:
    """The cached value of ``key``, else ``load()`` (kept unless it is None)."""
    try:
        value = cache.get(key)
    except CACHE_DOWN:
        value = None
    if value is None:
        value = load()
        if value is not None:
            with suppress(*CACHE_DOWN):
                cache.add(key, value, timeout=seconds)
    return value


def forget(key: str) -> None:
    """Drop ``key`` now and when the complex's transaction commits."""
    _drop(key)
    on_commit_in_scope(lambda: _drop(key))


def _drop(key: str) -> None:
    with suppress(*CACHE_DOWN):
        cache.delete(key)
