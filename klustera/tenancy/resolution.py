"""Finding the tenant a request is for.

Order: a custom domain, then a subdomain of ``BASE_DOMAIN``, then the path
prefix ``/c/<slug>/``, then (API only) the tenant named in the bearer token or
the ``X-Tenant`` header. A request on a platform host that names no tenant is
served in the platform scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from klustera.tenancy.errors import TenantUnknown
from klustera.tenancy.models import Domain, Tenant

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


def _by_slug(slug: str, via: str) -> Tenant:
    try:
        return Tenant.objects.get(slug=slug.lower())
    except Tenant.DoesNotExist:
        raise TenantUnknown(f"No complex '{slug}'.") from None


def resolve(request: HttpRequest) -> Resolution:
    host = _host(request)

    domain = Domain.objects.select_related("tenant").filter(host=host).first()
    if domain is not None:
        return Resolution(domain.tenant, "domain")

    base = settings.BASE_DOMAIN
    if host.endswith("." + base):
        label = host[: -len(base) - 1]
        if label and "." not in label and label not in {"api", "www"}:
            return Resolution(_by_slug(label, "subdomain"), "subdomain")

    if host not in settings.PLATFORM_HOSTS and not host.endswith("." + base):
        raise TenantUnknown(f"Unknown host '{host}'.")

    match = PATH_PREFIX.match(request.path_info)
    if match:
        return Resolution(_by_slug(match["slug"], "path"), "path", f"/c/{match['slug']}")

    if request.path_info.startswith("/api/"):
        token = TOKEN_PATTERN.match(request.headers.get("Authorization", ""))
        if token:
            return Resolution(_by_slug(token["slug"], "token"), "token")
        header = request.headers.get("X-Tenant", "").strip()
        if header:
            return Resolution(_by_slug(header, "header"), "header")

    return Resolution(None, "platform")
