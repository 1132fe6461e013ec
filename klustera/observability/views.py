"""Liveness and readiness probes, answered on any host without a tenant."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from klustera.net import client_ip, in_networks
from klustera.observability.metrics import exposition
from klustera.observability.tasks import last_heartbeat
from klustera.tasks import QUEUES, queue
from klustera.tenancy.connections import ensure_reachable
from klustera.tenancy.models import Tenant

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


def _check(name: str, probe: Any, checks: dict[str, Any]) -> None:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:
        logger.warning("Readiness check %s failed: %s", name, exc)
        checks[name] = {"ok": False, "error": type(exc).__name__}
    else:
        checks[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if detail is not None:
            checks[name]["detail"] = detail


def _platform_db() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def _tenant_db() -> str:
    tenant = Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk").first()
    if tenant is None:
        return "no active tenant"
    ensure_reachable(tenant)
    return tenant.slug


def _queue() -> dict[str, Any]:
    beat = last_heartbeat()
    return {
        "pending": {name: queue(name).pending_count() for name in QUEUES},
        "worker_heartbeat_age_s": round(time.time() - beat) if beat else None,
    }


def _redis() -> None:
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()


def readyz(request: HttpRequest) -> JsonResponse:
    """Every store the app needs answers: platform DB, a tenant DB, the queue, Redis."""
    checks: dict[str, Any] = {}
    _check("platform_database", _platform_db, checks)
    _check("tenant_database", _tenant_db, checks)
    _check("queue", _queue, checks)
    if settings.REDIS_URL:
        _check("redis", _redis, checks)
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def _may_scrape(request: HttpRequest) -> bool:
    """The scraper shows ``METRICS_TOKEN`` as a bearer token, or calls from an allowed network."""
    token = settings.METRICS_TOKEN
    scheme, _, shown = str(request.headers.get("Authorization", "")).partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(shown.encode(), token.encode()):
        return True
    return in_networks(client_ip(request), settings.METRICS_ALLOWED_NETWORKS)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: every process's figures added up. Never public."""
    if not settings.METRICS_ENABLED:
        raise Http404
    if not _may_scrape(request):
        response = HttpResponse("Unauthorized: show the metrics token.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
