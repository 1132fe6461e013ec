"""Rate limits, kept in the cache (Redis when configured, else a shared file cache).

100 requests a minute per IP, 1000 an hour per user, 60 a minute per IP on
public endpoints, and 5 a minute per phone number on sign-in and codes. The
per-IP limit is enforced by ``ApiRateLimitMiddleware``; the others by DRF,
and the same two sign-in limits guard the portal's sign-in forms
(``throttled_sign_in``). Per-IP counters are shared by every complex: one
client gets its limit once, not once per complex. The client's address is
``klustera.net.client_ip``'s, never a header the client chose.
The gate's verifications have their own: 600 a minute per guard, and no
per-IP limit (a complex's gates and residents often share one public IP),
beside the lock-out after repeated failures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from klustera.api import error_response, is_api_request, retry_after
from klustera.net import client_ip
from klustera.phones import normalize_phone
from klustera.tenancy.cache import GLOBAL


class IpRateThrottle(SimpleRateThrottle):
    scope = "ip"
    cache_format = GLOBAL + SimpleRateThrottle.cache_format

    def get_ident(self, request: Request | HttpRequest) -> str:
        return client_ip(request)

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiRateLimitMiddleware:
    """The per-IP limit on every API request, before authentication runs.

    DRF checks throttles only after authentication and permissions, so
    requests with no or bad credentials would never be counted there.
    Provider webhooks (signature-verified, sent in bursts) are exempt.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        view_class = getattr(view, "cls", None)
        if not is_api_request(request) or getattr(view_class, "rate_limit_exempt", False):
            return None
        throttle = IpRateThrottle()
        if throttle.allow_request(request, None):  # type: ignore[arg-type]
            return None
        wait = throttle.wait()
        response = error_response("RATE_LIMITED", _("Too many requests; slow down."), status=429)
        response["Retry-After"] = retry_after(wait)
        return response


class PerUserRateThrottle(UserRateThrottle):
    """Per user; a credential that names a ``rate_scope`` (an API key) has a limit of its own.

    The key's limit is apart from its maker's, counted per key.
    """

    scope = "user"

    def allow_request(self, request: Request, view: Any) -> bool:
        if _own_scope(request):
            self.scope = _own_scope(request)
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # the IP limit covers anonymous callers
        if _own_scope(request):
            return self.cache_format % {"scope": self.scope, "ident": f"key{request.auth.pk}"}
        return super().get_cache_key(request, view)


def _own_scope(request: Request) -> str:
    return str(getattr(request.auth, "rate_scope", ""))


class GateRateThrottle(UserRateThrottle):
    scope = "gate"


class PublicRateThrottle(IpRateThrottle):
    scope = "public"


class PhoneRateThrottle(SimpleRateThrottle):
    """Per phone number named in the body: slows guessing of passwords and codes."""

    scope = "phone"

    def get_cache_key(self, request: Request | HttpRequest, view: Any) -> str | None:
        data = getattr(request, "data", None)
        if data is None:  # a portal form
            data = request.POST
        raw = str(data.get("phone") or data.get("username") or "") if hasattr(data, "get") else ""
        try:
            ident = normalize_phone(raw)
        except ValidationError:
            # Not a phone, but still what is being guessed at: count it, safely as a key.
            ident = hashlib.sha256(raw.encode()).hexdigest()[:32] if raw else client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttled_sign_in(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A portal sign-in form under the API's sign-in limits: per IP, and per phone typed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            for throttle in (PublicRateThrottle(), PhoneRateThrottle()):
                if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                    response = render(request, "429.html", status=429)
                    response["Retry-After"] = retry_after(throttle.wait())
                    return response
        return view(request, *args, **kwargs)

    return wrapped
