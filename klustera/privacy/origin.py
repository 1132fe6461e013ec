"""Where a request came from (address and browser), for the proof of a consent given in it."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from klustera.net import client_ip


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[Origin | None] = ContextVar("privacy_origin", default=None)


def current_origin() -> Origin:
    """The request under way's origin; empty outside a request (a task, the CLI)."""
    return _current.get() or Origin()


class RequestOriginMiddleware:
    """Remembers each request's origin, so a consent recorded deep in a service carries it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = Origin(
            ip=client_ip(request) or None,
            user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:300],
        )
        token = _current.set(origin)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
