"""Finding the tenant a request is for.

Order: a custom domain, then a subdomain of ``BASE_DOMAIN``, then the path
prefix ``/c/<slug>/``, then (API only) the tenant named in the bearer token or
the ``X-Tenant`` header. A request on a platform host that names no tenant is
served in the platform scope.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

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


def _remembered(kind: str, key: str, load: Callable[[], Tenant | None]) -> Tenant | None:
    """A process-local memory of lookups for ``TENANT_CACHE_SECONDS``.

    Two platform queries per request otherwise; the price is that a suspension
    made by another process takes effect within those seconds.
    """
    ttl = settings.TENANT_CACHE_SECONDS
    if ttl <= 0:
        return load()
    now = time.monotonic()
    hit = _recent.get((kind, key))
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if len(_recent) >= _RECENT_MAX:
        _recent.clear()  # random Host headers must not grow memory without bound
    _recent[(kind, key)] = (now + ttl, value)
    return value


def forget_resolutions() -> None:
    """Drop remembered lookups (after a tenant or domain changes in this process)."""
    _recent.clear()


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
