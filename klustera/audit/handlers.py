"""What the audit trail records of the platform's actions on a complex."""

from __future__ import annotations

from typing import Any

from klustera.audit.services import record


def record_status_change(*, action: str, previous_status: str, **_: Any) -> None:
    record(actor=None, action=action, previous_status=previous_status)
