"""Residents' photos of bank transfers, reviewed by a manager, and the daily review report."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.selectors import active_managers
from klustera.audit.services import record
from klustera.billing.models import (
    Payment,
)
from klustera.billing.services import check_payment_amount, record_payment
from klustera.estate.models import Unit
from klustera.notifications.services import notify
from klustera.payments.models import CallbackEvent, PaymentAttempt, TransferProof
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url


def submit_transfer_proof(
    *, unit: Unit, user: User, amount: Decimal, transferred_on: date, image: Any, bank: str = ""
) -> TransferProof:
    """A resident sends the photo of a transfer; the managers are told to review it."""
    check_payment_amount(amount)
    if transferred_on > timezone.localdate():
        raise ValidationError({"transferred_on": [_("A transfer cannot be in the future.")]})
    with tenant_atomic():
        proof = TransferProof.objects.create(
            unit=unit,
            amount=amount,
            transferred_on=transferred_on,
            bank=bank.strip(),
            image=image,
            submitted_by=user,
        )
        record(actor=user, action="payment.proof_submitted", target=proof, amount=str(amount))
    return proof


def review_transfer_proof(
    *, proof: TransferProof, actor: User, approve: bool, reason: str = ""
) -> TransferProof:
    """Approve (the transfer is booked as a payment, with its photo) or reject with a reason."""
    with tenant_atomic():
        proof = TransferProof.objects.select_for_update().select_related("unit").get(pk=proof.pk)
        if proof.status != TransferProof.Status.PENDING:
            raise ValidationError(
                _("This proof has already been reviewed."), code="proof_already_reviewed"
            )
        if not approve and not reason.strip():
            raise ValidationError({"reason": [_("Say why the proof is rejected.")]})
        if approve:
            paid_at = timezone.make_aware(
                datetime.combine(proof.transferred_on, datetime.min.time().replace(hour=12))
            )
            proof.payment = record_payment(
                unit=proof.unit,
                amount=proof.amount,
                method=Payment.Method.BANK_TRANSFER,
                paid_at=min(paid_at, timezone.now()),
                reference=proof.bank,
                note=_("Transfer proof #%(id)s") % {"id": proof.pk},
                actor=actor,
                proof=proof.image.name,
            )
        proof.status = TransferProof.Status.APPROVED if approve else TransferProof.Status.REJECTED
        proof.reason = reason.strip()
        proof.reviewed_by, proof.reviewed_at = actor, timezone.now()
        proof.save()
        record(
            actor=actor,
            action="payment.proof_approved" if approve else "payment.proof_rejected",
            target=proof,
            reason=proof.reason,
        )
    return proof


def daily_review_report(*, now: datetime | None = None) -> dict[str, int]:
    """Tell the managers what waits for them: amount mismatches of the last day, open proofs."""
    now = now or timezone.now()
    counts = {
        "mismatches": PaymentAttempt.objects.filter(
            needs_review=True, settled_at__gte=now - timedelta(days=1)
        ).count(),
        "proofs": TransferProof.objects.filter(status=TransferProof.Status.PENDING).count(),
        "failed_callbacks": CallbackEvent.objects.filter(
            status=CallbackEvent.Status.FAILED, received_at__gte=now - timedelta(days=1)
        ).count(),
    }
    if not (counts["mismatches"] or counts["proofs"]):
        return counts
    tenant = current_tenant()
    with tenant_atomic():
        for manager in active_managers():
            notify(
                recipient=manager,
                template="payments_review",
                context={
                    "complex": tenant.name if tenant else "",
                    "mismatches": counts["mismatches"],
                    "proofs": counts["proofs"],
                    "link": tenant_url("home"),
                },
            )
    return counts
