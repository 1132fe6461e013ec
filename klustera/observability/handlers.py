"""What every request's log lines carry, bound through django-structlog's signals."""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog

from klustera.net import client_ip
from klustera.observability.logs import SANE_REQUEST_ID
from klustera.observability.metrics import observe_request, route_of


def request_started(request: Any, log_kwargs: dict[str, Any], **_: Any) -> None:
    """django-structlog's ``bind_extra_request_metadata``: a sane request id, the address
    (as :func:`klustera.net.client_ip` trusts it), the path without its query string."""
    context = structlog.contextvars.get_contextvars()
    if not SANE_REQUEST_ID.match(str(context.get("request_id", ""))):
        structlog.contextvars.bind_contextvars(request_id=str(uuid.uuid4()))
    structlog.contextvars.bind_contextvars(ip=client_ip(request))
    request._log_started = time.perf_counter()
    log_kwargs["request"] = f"{request.method} {request.path}"
    log_kwargs.pop("user_agent", None)


def request_finished(request: Any, response: Any, log_kwargs: dict[str, Any], **_: Any) -> None:
    """``bind_extra_request_finished_metadata``: the complex, the route, the duration; the
    request id goes back in the response."""
    context = structlog.contextvars.get_contextvars()
    tenant = getattr(request, "tenant", None)
    route = route_of(request)
    structlog.contextvars.bind_contextvars(complex=tenant.slug if tenant else "")
    log_kwargs.update(
        request=f"{request.method} {route}",
        route=route,
        method=request.method,
        status=response.status_code,
    )
    started = getattr(request, "_log_started", None)
    if started is not None:
        seconds = time.perf_counter() - started
        log_kwargs["duration_ms"] = round(seconds * 1000, 1)
        observe_request(route, request.method, response.status_code, seconds)
    if "request_id" in context:
        response["X-Request-ID"] = context["request_id"]
