"""The Content-Security-Policy of every page: only the portal's own files run.

The portal's scripts and styles are static files of its own (htmx, Alpine's
CSP build, Chart.js and jsQR are vendored), so the policy allows no inline
script, no inline style attribute and no other origin. Images may be data:
and blob: URLs (QR codes, photo previews) and, when one is set, the map tile
server's; the camera's stream is a blob:.
The API's browsable docs page (Swagger UI) needs inline script and keeps
Django's defaults instead.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _tile_origin() -> str:
    """The map tile server's origin, whose images the patrol map shows (if one is set)."""
    parts = urlsplit(settings.MAP_TILE_URL)
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def policy() -> str:
    """The policy, read from the settings each time (the tile server may be set in tests)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob:{_tile_origin()}",
            "media-src 'self' blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


EXEMPT_PREFIX = "/api/v1/docs/"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if EXEMPT_PREFIX not in request.path:
            response.setdefault("Content-Security-Policy", policy())
        return response
