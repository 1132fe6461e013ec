"""Server errors told to the operators without Sentry: a short summary of each new 5xx error
to a Slack webhook (``ALERT_SLACK_WEBHOOK_URL``) and by email (``ALERT_EMAILS``), sent from
the queue with a timeout (:mod:`klustera.observability.operators`).

An error is known by its type, route and the line that raised it; the same error is told
once per window (``ERROR_SUMMARY_WINDOW``), and at most ``ERROR_SUMMARIES_PER_WINDOW`` are
told in a window in all, so a flood sends a message, not thousands. With ``SENTRY_DSN`` set,
Sentry groups and tells instead, and this stays quiet.
"""

from __future__ import annotations

import hashlib
import sys
import traceback
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from klustera.observability.logs import scrub
from klustera.observability.metrics import route_of
from klustera.observability.operators import tell_operators
from klustera.tenancy.cache import GLOBAL

logger = structlog.get_logger(__name__)


def report_server_error(sender: Any, request: HttpRequest | None = None, **_: Any) -> None:
    """Django's ``got_request_exception``: tell a new error, once per window."""
    exc = sys.exc_info()[1]
    if settings.SENTRY_DSN or exc is None:
        return
    if not (settings.ALERT_SLACK_WEBHOOK_URL or settings.ALERT_EMAILS):
        return
    summary = summarise(exc, request)
    window = int(settings.ERROR_SUMMARY_WINDOW)
    if not cache.add(f"{GLOBAL}error-told:{summary['fingerprint']}", 1, window):
        return  # this error was told within the window
    cache.add(f"{GLOBAL}errors-told", 0, window)
    if cache.incr(f"{GLOBAL}errors-told") > int(settings.ERROR_SUMMARIES_PER_WINDOW):
        logger.warning("error_summary.rate_limited", fingerprint=summary["fingerprint"])
        return
    tell_operators(f"[Klustera] {summary['error']} on {summary['route']}", _text(summary))


def summarise(exc: BaseException, request: HttpRequest | None) -> dict[str, str]:
    """What an operator needs to find it: no submitted data, no personal data."""
    route = route_of(request)
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/klustera/" in f.filename] or frames
    where = f"{ours[-1].filename.rpartition('/klustera/')[2]}:{ours[-1].lineno}" if ours else "?"
    kind = type(exc).__name__
    context = structlog.contextvars.get_contextvars()
    return {
        "fingerprint": hashlib.sha256(f"{kind}|{route}|{where}".encode()).hexdigest()[:16],
        "error": kind,
        "message": scrub(str(exc))[:300],
        "route": route,
        "method": request.method if request is not None and request.method else "",
        "where": where,
        "complex": str(context.get("complex", "")),
        "request_id": str(context.get("request_id", "")),
        "at": timezone.now().isoformat(timespec="seconds"),
    }


def _text(summary: dict[str, str]) -> str:
    place = f" in {summary['complex']}" if summary["complex"] else ""
    return (
        f"Klustera: {summary['error']} on {summary['method']} {summary['route']}{place}\n"
        f"{summary['message']}\n"
        f"at {summary['where']} · request {summary['request_id']} · {summary['at']}\n"
        f"The same error is told again after {int(settings.ERROR_SUMMARY_WINDOW) // 60} minutes."
    )
