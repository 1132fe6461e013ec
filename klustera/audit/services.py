"""Recording actions in the current complex's audit trail, and proving it was not edited."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from klustera.audit.chain import FIELDS, GENESIS, Break, Verdict, canonical, hash_of, verify_rows
from klustera.audit.models import AuditEntry, ChainHead
from klustera.tenancy.context import tenant_atomic

if TYPE_CHECKING:  # the audit sits below accounts: it names users, it never imports them
    from klustera.accounts.models import User

logger = logging.getLogger(__name__)


def record(
    *, actor: User | None, action: str, target: Model | None = None, **details: Any
) -> AuditEntry:
    """Append one entry at the end of the chain; call it inside the transaction of the
    action it records (the chain's head stays locked until that transaction ends)."""
    with tenant_atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"hash": GENESIS}
        )
        entry = AuditEntry(
            actor=actor,
            # A number, not a name: the chain cannot forget a person who asks to be forgotten;
            # the actor link shows who it is (a pseudonym once they are anonymised).
            actor_label=f"user {actor.pk}" if actor else "platform",
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            details=canonical(details),
            seq=head.seq + 1,
            prev_hash=head.hash,
        )
        entry.hash = hash_of(entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash", "updated_at"])
    return entry


def verify_trail() -> Verdict:
    """Recompute the current complex's chain, streamed in order, and name the first broken
    link; entries cut off its end show against the chain's head. A break is logged as an
    error (``audit.chain_broken``) for the operator."""
    rows = AuditEntry.objects.order_by("seq").values_list(*FIELDS).iterator(chunk_size=5000)
    verdict = verify_rows(rows)
    head = ChainHead.objects.filter(pk=1).first()
    if verdict.intact and head is not None and head.seq > verdict.checked:
        missing = verdict.checked + 1
        verdict = Verdict(verdict.checked, Break(missing, f"entry {missing} is missing"))
    if verdict.broken:
        logger.error("audit.chain_broken: entry %s: %s", verdict.broken.seq, verdict.broken.reason)
    return verdict
