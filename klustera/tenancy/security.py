"""Security events: what looks like an attack, reported by whichever app meets it.

Any app reports one with :func:`report`; the audit app keeps them in the platform's own
database (a receiver of :data:`security_event`), so a complex's data never holds another's
attempts and a rolled-back request still leaves its trace. Never pass a secret, a code or a
full phone number: ``detail`` is shown to the operator as it is.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal
from django.http import HttpRequest

from klustera.net import client_ip
from klustera.tenancy.context import current_tenant

security_event = Signal()
"""Arguments ``kind``, ``complex`` (slug or ""), ``other_complex``, ``ip``, ``route``,
``user_id`` and ``detail``."""


def report(
    kind: str,
    *,
    request: HttpRequest | Any | None = None,
    user: Any = None,
    ip: str | None = None,
    other_complex: str = "",
    detail: str = "",
) -> None:
    """Report one security event; with ``request``, its address, route and user go along
    (``user`` and ``ip`` say who when there is no request)."""
    tenant = current_tenant()
    if user is None and request is not None:
        # Django's request under DRF's: asking DRF's for its user would authenticate again
        # (and a token being refused is reported from inside that authentication).
        user = getattr(getattr(request, "_request", request), "user", None)
    security_event.send(
        sender=report,
        kind=kind,
        complex=tenant.slug if tenant else "",
        other_complex=other_complex[:63],
        ip=(client_ip(request) if request is not None else ip) or None,
        route=_route(request),
        user_id=user.pk if user is not None and getattr(user, "is_authenticated", False) else None,
        detail=detail[:200],
    )


def _route(request: Any) -> str:
    """The URL pattern when it is known (no ids), else the path."""
    if request is None:
        return ""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return str(match.route)[:200]
    return str(getattr(request, "path", ""))[:200]
