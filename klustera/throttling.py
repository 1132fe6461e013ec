"""Rate limits of the API, kept in the cache (Redis when configured, else a shared file cache).

100 requests a minute per IP, 1000 an hour per user, 60 a minute per IP on
public endpoints, and 5 a minute per phone number on sign-in and codes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from klustera.accounts.phones import normalize_phone


class IpRateThrottle(SimpleRateThrottle):
    scope = "ip"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PerUserRateThrottle(UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # the IP limit covers anonymous callers
        return super().get_cache_key(request, view)


class PublicRateThrottle(IpRateThrottle):
    scope = "public"


class PhoneRateThrottle(SimpleRateThrottle):
    """Per phone number named in the body: slows guessing of passwords and codes."""

    scope = "phone"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data if isinstance(request.data, dict) else {}
        raw = str(data.get("phone", ""))
        try:
            ident = normalize_phone(raw)
        except ValidationError:
            # Not a phone, but still what is being guessed at: count it, safely as a key.
            ident = (
                hashlib.sha256(raw.encode()).hexdigest()[:32] if raw else self.get_ident(request)
            )
        return self.cache_format % {"scope": self.scope, "ident": ident}
