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

Every limit is a sliding window: at most N requests in any span of its length. All the
limits of one request are counted in **one** round trip to Redis (an atomic Lua script over
sorted sets of the requests' times). For an API view whose throttles are all ours, the
middleware leaves the per-IP limit to them, so it is counted with the user's; a request
refused before its throttles run (no or bad credentials) has its IP counted after, and is
answered 429 instead when over. With the shared file cache (the embedded default) the same
windows are kept as lists, one read and one write a limit.

When Redis cannot be reached, the limits *fail open*: requests are served uncounted (and a
warning logged). The limits guard throughput; guessing passwords and codes stays bounded
by the lock-out after repeated failures, which the database keeps.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from klustera.api import error_response, is_api_request, retry_after
from klustera.net import client_ip
from klustera.phones import normalize_phone
from klustera.redis_cache import CACHE_DOWN, RedisCache
from klustera.tenancy.cache import GLOBAL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` requests under ``key`` in any ``seconds``."""

    key: str
    count: int
    seconds: int


# KEYS: the windows (sorted sets of request times); ARGV: now (ms), a unique member, then
# each window's count and length (ms). Returns, per window, -1 (counted) or the ms to wait.
SLIDING_WINDOWS = """
local now = tonumber(ARGV[1])
local waits = {}
for i, key in ipairs(KEYS) do
  local count, window = tonumber(ARGV[2 * i + 1]), tonumber(ARGV[2 * i + 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= count then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    waits[i] = math.max(tonumber(oldest[2]) + window - now, 1)
  else
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, window)
    waits[i] = -1
  end
end
return waits
"""
_scripts: dict[int, Any] = {}


def hit(limits: Sequence[Limit]) -> list[float | None]:
    """Count a request against each limit at once; per limit, None (counted) or the seconds
    to wait (refused: not counted there). Fails open when the cache cannot be reached."""
    if not limits:
        return []
    try:
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            return _hit_redis(backend, limits)
        return [_hit_local(limit) for limit in limits]
    except CACHE_DOWN:
        log.warning("rate_limits.not_counted", exc_info=True)
        return [None] * len(limits)


def _hit_redis(backend: RedisCache, limits: Sequence[Limit]) -> list[float | None]:
    client = backend.client()
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(SLIDING_WINDOWS)
    now = int(time.time() * 1000)
    args: list[Any] = [now, f"{now}-{secrets.token_hex(6)}"]
    for limit in limits:
        args += [limit.count, limit.seconds * 1000]
    waits = script(keys=[backend.make_key(limit.key) for limit in limits], args=args)
    return [None if wait < 0 else wait / 1000 for wait in waits]


def _hit_local(limit: Limit) -> float | None:
    """One window as a list of times, newest first (not atomic: the embedded default)."""
    now = time.time()
    history = [t for t in cache.get(limit.key, []) if t > now - limit.seconds]
    if len(history) >= limit.count:
        return max(history[-1] + limit.seconds - now, 0.001)
    cache.set(limit.key, [now, *history], limit.seconds)
    return None


class CountedThrottle(SimpleRateThrottle):
    """A DRF throttle counted with every other limit of the request in one ``hit``."""

    num_requests: int
    duration: int
    # Not DRF's "throttle_…": those keys hold its lists, which a deploy leaves behind.
    cache_format = "window_%(scope)s_%(ident)s"

    def limit(self, request: Request | HttpRequest, view: Any) -> Limit | None:
        """This throttle's limit for the request, or None where it does not apply."""
        key = self.get_cache_key(request, view)  # type: ignore[arg-type]
        if self.rate is None or key is None:
            return None
        return Limit(key, self.num_requests, self.duration)

    def allow_request(self, request: Request, view: Any) -> bool:
        self._wait: float | None = _counted(request, view).get(type(self))
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


# On the Django request: the per-IP limit left to the view's throttles, and their outcome.
IP_PENDING = "_klustera_ip_limit_pending"
OUTCOME = "_klustera_rate_limits"


def _counted(request: Request, view: Any) -> dict[type[CountedThrottle], float]:
    """Every counted throttle of the view (and the pending IP limit) in one ``hit``, once:
    the seconds to wait of each throttle class that refuses."""
    http = request._request
    outcome: dict[type[CountedThrottle], float] | None = getattr(http, OUTCOME, None)
    if outcome is None:
        throttles = [t for t in view.get_throttles() if isinstance(t, CountedThrottle)]
        limits = [(t, t.limit(request, view)) for t in throttles]
        if getattr(http, IP_PENDING, False):
            setattr(http, IP_PENDING, False)
            limits.insert(0, (throttles[0], IpRateThrottle().limit(request, view)))
        counted = [(t, limit) for t, limit in limits if limit is not None]
        outcome = {}
        for (throttle, _limit), wait in zip(
            counted, hit([lim for _t, lim in counted]), strict=True
        ):
            if wait is not None:  # the IP's refusal is told by the view's first throttle
                outcome[type(throttle)] = max(wait, outcome.get(type(throttle), 0.0))
        setattr(http, OUTCOME, outcome)
    return outcome


class IpRateThrottle(CountedThrottle):
    scope = "ip"
    cache_format = GLOBAL + CountedThrottle.cache_format

    def get_ident(self, request: Request | HttpRequest) -> str:
        return client_ip(request)

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _too_many(wait: float) -> HttpResponse:
    response = error_response("RATE_LIMITED", _("Too many requests; slow down."), status=429)
    response["Retry-After"] = retry_after(wait)
    return response


class ApiRateLimitMiddleware:
    """The per-IP limit on every API request, whatever its credentials.

    DRF checks throttles only after authentication and permissions. For a view whose
    throttles are all counted ones the IP is counted with them (one round trip); when the
    view refused the request before they ran, it is counted on the way out, and a request
    over the limit is answered 429 (nothing was done for it). Other API views are counted
    here, before they run. Provider webhooks (signature-verified, in bursts) are exempt.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, IP_PENDING, False):  # refused before its throttles ran
            setattr(request, IP_PENDING, False)
            (wait,) = hit([IpRateThrottle().limit(request, None)])  # type: ignore[list-item]
            if wait is not None:
                return _too_many(wait)
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        view_class = getattr(view, "cls", None)
        if not is_api_request(request) or getattr(view_class, "rate_limit_exempt", False):
            return None
        throttles = getattr(view_class, "throttle_classes", None)
        if throttles and all(issubclass(t, CountedThrottle) for t in throttles):
            setattr(request, IP_PENDING, True)
            return None
        (wait,) = hit([IpRateThrottle().limit(request, None)])  # type: ignore[list-item]
        return None if wait is None else _too_many(wait)


class PerUserRateThrottle(CountedThrottle):
    """Per user; a credential that names a ``rate_scope`` (an API key) has a limit of its own.

    The key's limit is apart from its maker's, counted per key.
    """

    scope = "user"

    def limit(self, request: Request | HttpRequest, view: Any) -> Limit | None:
        if _own_scope(request):
            self.scope = _own_scope(request)
            self.rate = self.get_rate()
            # a rate named in the settings: never None
            self.num_requests, self.duration = self.parse_rate(self.rate)  # type: ignore[assignment]
        return super().limit(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None  # the IP limit covers anonymous callers
        if _own_scope(request):
            return self.cache_format % {"scope": self.scope, "ident": f"key{request.auth.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def _own_scope(request: Request | HttpRequest) -> str:
    return str(getattr(getattr(request, "auth", None), "rate_scope", ""))


class GateRateThrottle(PerUserRateThrottle):
    scope = "gate"


class PublicRateThrottle(IpRateThrottle):
    scope = "public"


class PhoneRateThrottle(CountedThrottle):
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
            limits = [
                PublicRateThrottle().limit(request, None),
                PhoneRateThrottle().limit(request, None),
            ]
            waits = [w for w in hit([lim for lim in limits if lim]) if w is not None]
            if waits:
                response = render(request, "429.html", status=429)
                response["Retry-After"] = retry_after(max(waits))
                return response
        return view(request, *args, **kwargs)

    return wrapped
