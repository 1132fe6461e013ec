"""Who is calling: the client's address, as far as this server can trust it."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address.

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXIES`` says how many proxies of ours
    stand in front (nginx: 1) and the request came from one of them (an address in
    ``TRUSTED_PROXY_NETWORKS``); then the address the outermost of them saw, read
    from the right of ``X-Forwarded-For``. Whatever a client writes further left
    in that header is ignored, so it cannot pick its own address, and a client
    that reaches the app past the proxy is taken at its own address.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded or not in_networks(remote, settings.TRUSTED_PROXY_NETWORKS):
        return remote
    hops = [hop.strip() for hop in str(forwarded).split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def in_networks(address: str, networks: Iterable[str]) -> bool:
    """Whether ``address`` lies in one of ``networks`` (CIDR); False for what is no address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _parsed(tuple(networks)))


@functools.cache
def _parsed(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Settings' networks, parsed once (parsing them was a few percent of every request)."""
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)
