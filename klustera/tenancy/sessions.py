"""One session cookie per complex: a complex (or the platform) never signs you out of another.

On a platform host every complex lives under ``/c/<slug>/`` of one origin; with
one cookie name, a request outside a complex (``/favicon.ico`` when a PDF is
opened, another complex's page) found no session under that name and deleted
the cookie: a sign-out. The session cookie of complex ``alpha`` is
``sessionid_alpha``; the platform keeps ``sessionid``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse


def session_cookie_name(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return str(settings.SESSION_COOKIE_NAME)
    return f"{settings.SESSION_COOKIE_NAME}_{tenant.slug}"


class TenantSessionMiddleware(SessionMiddleware):
    """Django's session middleware, reading and writing the current complex's cookie."""

    def process_request(self, request: HttpRequest) -> None:
        name, own = settings.SESSION_COOKIE_NAME, session_cookie_name(request)
        if own != name:  # the complex's cookie stands where Django looks for the session
            request.COOKIES = {k: v for k, v in request.COOKIES.items() if k != name}
            if own in request.COOKIES:
                request.COOKIES[name] = request.COOKIES[own]
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> Any:
        response = super().process_response(request, response)
        name, own = settings.SESSION_COOKIE_NAME, session_cookie_name(request)
        if own != name and name in response.cookies:
            morsel = response.cookies.pop(name)
            response.cookies[own] = morsel.value
            response.cookies[own].update({key: value for key, value in morsel.items() if value})
        return response
