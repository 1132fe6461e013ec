"""The signed-in user's language on portal pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from klustera.api import is_api_request
from klustera.tenancy.context import current_tenant, in_platform_scope


class UserLanguageMiddleware:
    """Portal pages speak the signed-in user's language; the API follows ``Accept-Language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Health probes run in no scope: their session cookie (if any) is never looked up.
        in_scope = current_tenant() is not None or in_platform_scope()
        if in_scope and user is not None and user.is_authenticated and not is_api_request(request):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
