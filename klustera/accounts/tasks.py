"""Sending a one-time code, off the request path: a thin wrapper over the service."""

from __future__ import annotations

from klustera.accounts import services
from klustera.tasks import tenant_task


@tenant_task("notifications")
def send_code(phone: str, purpose: str) -> None:
    """Enqueued for every request, known phone or not, so the answer takes as long for both."""
    services.request_code(phone=phone, purpose=purpose)
