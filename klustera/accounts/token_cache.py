"""A device token's record, its user and their roles, kept in the cache between requests.

A request with a bearer token then needs no database query to know who is asking.
Entries live ``TOKEN_CACHE_SECONDS`` and are keyed by the token's digest (the cache key
carries the complex, ``tenancy.cache``). Whatever changes what an entry holds puts a
*tombstone* in its place at once — on revoking, signing out, refreshing, a changed user
(password, profile, deactivation, anonymisation), changed roles or a deleted token — and
again when the transaction commits. A request that finds a tombstone reads the database, and
a reader that loaded the record before the change cannot put it back: entries are only ever
*added*, never over a tombstone. The cache is shared by every process (Redis, or the file
cache), so the change holds in all of them on their next request.

When the cache cannot be reached, requests read the database: slower, never refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from klustera.accounts.models import ApiToken
from klustera.redis_cache import CACHE_DOWN
from klustera.tenancy.context import current_tenant, on_commit_in_scope

log = logging.getLogger(__name__)

FORGOTTEN = "forgotten"
# Longer than any reader takes between its query and its ``add``.
TOMBSTONE_SECONDS = 60


def _key(digest: str) -> str:
    return f"auth:token:{digest}"


def cached_token(digest: str) -> ApiToken | None:
    """The token's record as cached (user and roles loaded), or None: read the database."""
    try:
        entry = cache.get(_key(digest))
    except CACHE_DOWN:  # the database answers
        log.warning("token_cache.unreachable", exc_info=True)
        return None
    return entry if isinstance(entry, ApiToken) else None


def load_token(digest: str) -> ApiToken | None:
    """The token's record from the database, with its user and roles; kept in the cache when
    it is usable (a revoked token, or one of a user who left, is never cached)."""
    record = (
        ApiToken.objects.select_related("user")
        .prefetch_related("user__groups")
        .filter(digest=digest)
        .first()
    )
    if record is not None and record.revoked_at is None and record.user.is_active:
        try:
            cache.add(_key(digest), record, timeout=settings.TOKEN_CACHE_SECONDS)
        except CACHE_DOWN:
            log.warning("token_cache.unreachable", exc_info=True)
    return record


def forget_tokens(tokens: Iterable[ApiToken] | Any) -> None:
    """Tombstone the cached records of ``tokens`` (a queryset or records), now and at commit."""
    digests = [token.digest for token in tokens]
    if not digests:
        return
    _tombstone(digests)
    on_commit_in_scope(lambda: _tombstone(digests))


def forget_user(user_id: int) -> None:
    """Tombstone every cached token of the user: who they are or may do has changed."""
    if current_tenant() is None:
        return  # a platform operator: no device tokens, nothing cached
    # every token that may still be cached: revoked ones too (their revocation may have been
    # written by a plain update), expired ones cannot be served anyway
    forget_tokens(
        ApiToken.objects.filter(user_id=user_id, expires_at__gt=timezone.now()).only("digest")
    )


def _tombstone(digests: list[str]) -> None:
    try:
        cache.set_many({_key(d): FORGOTTEN for d in digests}, timeout=TOMBSTONE_SECONDS)
    except CACHE_DOWN:  # entries then end within TOKEN_CACHE_SECONDS
        log.error("token_cache.not_forgotten count=%d", len(digests), exc_info=True)
