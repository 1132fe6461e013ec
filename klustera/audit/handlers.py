"""What the audit records when the platform acts on a complex, and the security events any app
reports (kept in the platform's database)."""

from __future__ import annotations

from typing import Any

from klustera.audit.models import SecurityEvent
from klustera.audit.services import record


def record_status_change(*, action: str, previous_status: str, **_: Any) -> None:
    record(actor=None, action=action, previous_status=previous_status)


def record_security_event(**event: Any) -> None:
    """Keep a reported event; its own write on the platform database, whatever the request's
    transaction does next (a refused write is rolled back, its trace stays)."""
    event.pop("signal", None)
    event.pop("sender", None)
    SecurityEvent.objects.create(**event)
