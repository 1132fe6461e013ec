"""Who is calling: the client's address, as far as this server can trust it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address.

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXIES`` says how many proxies of ours
    stand in front (nginx: 1); then the address the outermost of them saw, read
    from the right of ``X-Forwarded-For``. Whatever a client writes further left
    in that header is ignored, so it cannot pick its own address.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in str(forwarded).split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote
