"""Error tracking with sentry-sdk, when ``SENTRY_DSN`` names Sentry or a compatible server
(GlitchTip). Every event carries the complex and the request id as tags; personal data is
kept out: no request bodies, cookies or headers, no local variables, and the texts that are
left (messages, exception values, breadcrumbs) pass the logs' redaction.

Settings call :func:`start`, so this module imports neither Django's models nor any app.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
import structlog
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event

from klustera.observability.logs import REDACTED, SECRET_KEYS, scrub

KEPT_HEADERS = {"Content-Type", "Accept-Language", "X-Request-Id"}


def start(dsn: str, *, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        # personal data stays out by default (no send_default_pii); before_send makes sure
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=lambda crumb, hint: _clean(crumb),
        traces_sample_rate=0,
    )


def before_send(event: Event, hint: dict[str, Any]) -> Event:
    """Tag the event with the complex and the request id; take personal data out."""
    context = structlog.contextvars.get_contextvars()
    tags = event.setdefault("tags", {})
    for key in ("complex", "request_id"):
        if context.get(key):
            tags[key] = str(context[key])
    event.pop("user", None)
    request: Any = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k in KEPT_HEADERS}
    cleaned: Event = _clean(event)
    return cleaned


def _clean(value: Any) -> Any:
    """Texts scrubbed of tokens and phone numbers; values under secret-like keys blanked."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(item, str) and SECRET_KEYS.search(str(key))
            else _clean(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, str):
        return scrub(value)
    return value
