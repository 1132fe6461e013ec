"""Finding the tenant a request is for.

Order: a custom domain, then a subdomain of ``BASE_DOMAIN``, then the path
prefix ``/c/<slug>/``, then (API only) the tenant named in the bearer token or
the ``X-Tenant`` header. A request on a platform host that names no tenant is
served in the platform scope.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from klustera.redis_cache import CACHE_DOWN
from klustera.tenancy.cache import GLOBAL
from klustera.tenancy.errors import TenantUnknown
from klustera.tenancy.models import SLUG_PATTERN, Domain, Tenant

PATH_PREFIX = re.compile(r"^/c/(?P<slug>[^/]+)(?P<rest>/.*)?$")
TOKEN_PATTERN = re.compile(r"^Bearer\s+(?P<slug>[a-z0-9-]+)\.", re.IGNORECASE)


@dataclass(frozen=True)
class Resolution:
    tenant: Tenant | None  # None: the platform scope
    via: str  # domain, subdomain, path, token, header or platform
    path_prefix: str = ""  # "/c/<slug>" when resolved by path


def _host(request: HttpRequest) -> str:
    host = request.get_host().lower()
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host


_recent: dict[tuple[str, str], tuple[float, Tenant | None]] = {}
_RECENT_MAX = 10_000
# What this process last read of the shared generation of complexes, and when.
_generation: dict[str, Any] = {"seen": None, "checked": float("-inf")}
GENERATION_KEY = f"{GLOBAL}tenancy:generation"
# The longest a lookup is remembered, even when no change is announced (a safety net).
MEMORY_SECONDS = 600


def _remembered(kind: str, key: str, load: Callable[[], Tenant | None]) -> Tenant | None:
    """A process-local memory of lookups, dropped when the complexes change.

    Two platform queries per request otherwise. Changing a complex or a domain announces a new
    generation in the shared cache; each process reads it at most every
    ``TENANT_CACHE_SECONDS`` and forgets its lookups when it moved on, so a suspension made by
    another process takes effect within those seconds — while a complex asked only every
    minute (one of 1,000) is still remembered. A cache that does not answer counts as a change.
    """
    ttl = settings.TENANT_CACHE_SECONDS
    if ttl <= 0:
        return load()
    now = time.monotonic()
    if now - _generation["checked"] >= ttl:
        _follow_generation(now)
    hit = _recent.get((kind, key))
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if len(_recent) >= _RECENT_MAX:
        _recent.clear()  # random Host headers must not grow memory without bound
    _recent[(kind, key)] = (now + max(ttl, MEMORY_SECONDS), value)
    return value


def _follow_generation(now: float) -> None:
    try:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)  # the first, or one evicted
        generation = cache.get(GENERATION_KEY)
    except CACHE_DOWN:
        generation = None
    if generation is None or generation != _generation["seen"]:
        _recent.clear()
    _generation.update(seen=generation, checked=now)


def forget_resolutions(**kwargs: Any) -> None:
    """Drop remembered lookups here, and (once the change is committed) tell every process to
    drop theirs: after a tenant or domain changes (also connected to their saves)."""
    _recent.clear()
    transaction.on_commit(_announce_generation, using=DEFAULT_DB_ALIAS)


def _announce_generation() -> None:
    with suppress(*CACHE_DOWN):  # the others then remember for at most MEMORY_SECONDS
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _by_slug(slug: str) -> Tenant:
    slug = slug.lower()
    # Checked before any query: a slug that cannot exist (a NUL byte, 900 characters) is unknown.
    tenant = (
        _remembered("slug", slug, lambda: Tenant.objects.filter(slug=slug).first())
        if SLUG_PATTERN.match(slug)
        else None
    )
    if tenant is None:
        raise TenantUnknown(_("No complex '%(slug)s'.") % {"slug": slug})
    return tenant


def _tenant_of_domain(host: str) -> Tenant | None:
    domain = Domain.objects.select_related("tenant").filter(host=host).first()
    return domain.tenant if domain else None


def resolve(request: HttpRequest) -> Resolution:
    host = _host(request)

    by_domain = _remembered("host", host, lambda: _tenant_of_domain(host))
    if by_domain is not None:
        return Resolution(by_domain, "domain")

    base = settings.BASE_DOMAIN
    if host.endswith("." + base):
        label = host[: -len(base) - 1]
        if label and "." not in label and label not in {"api", "www"}:
            return Resolution(_by_slug(label), "subdomain")

    if host not in settings.PLATFORM_HOSTS and not host.endswith("." + base):
        raise TenantUnknown(_("Unknown host '%(host)s'.") % {"host": host})

    match = PATH_PREFIX.match(request.path_info)
    if match:
        return Resolution(_by_slug(match["slug"]), "path", f"/c/{match['slug']}")

    if request.path_info.startswith("/api/"):
        token = TOKEN_PATTERN.match(request.headers.get("Authorization", ""))
        if token:
            return Resolution(_by_slug(token["slug"]), "token")
        header = request.headers.get("X-Tenant", "").strip()
        if header:
            return Resolution(_by_slug(header), "header")

    return Resolution(None, "platform")
