"""Recording actions in the current complex's audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Model

from klustera.audit.models import AuditEntry

if TYPE_CHECKING:  # the audit sits below accounts: it names users, it never imports them
    from klustera.accounts.models import User


def record(
    *, actor: User | None, action: str, target: Model | None = None, **details: Any
) -> AuditEntry:
    """Append one entry; call it inside the transaction of the action it records."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=str(actor) if actor else "platform",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details,
    )
