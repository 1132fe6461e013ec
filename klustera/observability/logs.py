"""Logs as events with fields (structlog, through django-structlog): JSON lines in production,
readable lines in development. Every line of a request carries its id (the proxy's
``X-Request-ID`` when it sends a sane one, else a new one, returned in the response), the
complex, the user, the route (the URL pattern, never the raw path), the status and the
duration. On the way out, secrets, tokens, codes and full phone numbers are redacted from
every logger's lines, structlog's and the standard library's alike.

Settings import this module, so it imports neither Django's models nor any app.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import structlog
from structlog.typing import Processor

# Fields whose value is never written, whatever logs them.
SECRET_KEYS = re.compile(
    r"(password|passwd|secret|token|authorization|cookie|otp|pin|signature|api_?key|csrf"
    r"|^code$|_code$|code_)",
    re.IGNORECASE,
)
# Indonesian mobile numbers, written any of the usual ways: the last four digits stay.
PHONE = re.compile(r"(?<![\w.])(?:\+62|62|0)[\s-]?8(?:[\s-]?\d){7,11}(?!\d)")
# Klustera's bearer tokens and API keys (``slug.secret``) and any ``Bearer …`` header.
TOKEN = re.compile(r"\b[a-z0-9][a-z0-9-]{0,62}\.[A-Za-z0-9_-]{32,}\b")
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[^\s,;]+")
REDACTED = "[redacted]"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def scrub(text: str) -> str:
    """``text`` without tokens or full phone numbers."""
    text = BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = TOKEN.sub(REDACTED, text)
    return PHONE.sub(lambda m: "…" + re.sub(r"\D", "", m.group(0))[-4:], text)


def redact(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: secret fields blanked, texts scrubbed."""
    for key, value in list(event.items()):
        if isinstance(value, str | bytes) and SECRET_KEYS.search(key):
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = scrub(value)
    return event


SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(*, json: bool, level: str) -> dict[str, Any]:
    """Configure structlog and return Django's ``LOGGING``: one handler, one formatter, for
    structlog's loggers and the standard library's."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    redact,
                    renderer,
                ],
                "foreign_pre_chain": [*SHARED, structlog.stdlib.ExtraAdder()],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            name: {"level": "WARNING"} for name in ("huey", "httpx", "weasyprint", "fontTools")
        }
        | {"django_structlog": {"level": level}},
    }


logging.captureWarnings(True)
