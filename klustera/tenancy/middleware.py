"""Selects the tenant of each request, or answers that there is none to serve."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, set_script_prefix
from django.utils.translation import gettext as _

from klustera.tenancy import connections as tenant_connections
from klustera.tenancy.context import platform_context, tenant_context
from klustera.tenancy.errors import TenantUnavailable, TenantUnknown
from klustera.tenancy.models import Tenant
from klustera.tenancy.resolution import resolve
from klustera.tenancy.views import tenant_error

logger = logging.getLogger(__name__)

# Probes and the metrics scrape, answered on any host, without a tenant.
EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.rstrip("/") in EXEMPT_PATHS:
            return self.get_response(request)
        try:
            resolution = resolve(request)
        except TenantUnknown as exc:
            return tenant_error(request, "TENANT_UNKNOWN", str(exc), status=404)
        except OperationalError as exc:  # the platform database (or its pool) does not answer
            logger.error("Platform database unavailable: %s", exc)
            return _unavailable(request)

        tenant = resolution.tenant
        request.tenant = tenant  # type: ignore[attr-defined]
        if tenant is None:
            with platform_context():
                return self.get_response(request)

        if tenant.status == Tenant.Status.SUSPENDED:
            return tenant_error(
                request, "TENANT_SUSPENDED", _("This complex is suspended."), status=403
            )
        if tenant.status == Tenant.Status.MOVING:
            response = tenant_error(
                request,
                "TENANT_UNAVAILABLE",
                _("This complex is being moved to another server; try again in a minute."),
                status=503,
            )
            response["Retry-After"] = "30"
            return response
        if tenant.status == Tenant.Status.CANCELLED:
            return tenant_error(
                request, "TENANT_CANCELLED", _("This complex's service has ended."), status=410
            )
        if tenant.status != Tenant.Status.ACTIVE:
            return tenant_error(request, "TENANT_UNKNOWN", _("No such complex."), status=404)

        try:
            with tenant_context(tenant):
                tenant_connections.ensure_reachable(tenant)
                return self._serve(request, resolution.path_prefix)
        except TenantUnavailable as exc:
            logger.error("Tenant %s unavailable: %s", tenant.slug, exc)
            return _unavailable(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A database that stops answering mid-request (behind a pool, a server that is down
        is only found at the first query): 503, as when it cannot be reached at all."""
        if not isinstance(exception, OperationalError):
            return None
        tenant = getattr(request, "tenant", None)
        logger.error("Database unavailable for %s: %s", getattr(tenant, "slug", "-"), exception)
        return _unavailable(request)

    def _serve(self, request: HttpRequest, prefix: str) -> HttpResponse:
        if not prefix:
            return self.get_response(request)
        # Serve /c/<slug>/x as /x, and make reverse() produce /c/<slug>/ URLs.
        request.path_info = request.path_info[len(prefix) :] or "/"
        previous = get_script_prefix()
        set_script_prefix(request.META.get("SCRIPT_NAME", "") + prefix + "/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(previous)


def _unavailable(request: HttpRequest) -> HttpResponse:
    return tenant_error(
        request, "TENANT_UNAVAILABLE", _("This complex is temporarily unavailable."), status=503
    )
