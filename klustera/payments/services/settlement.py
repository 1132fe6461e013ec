"""Booking what Xendit collected, once per payment, and asking about what never called back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from klustera.audit.services import record
from klustera.billing.models import (
    Invoice,
    Payment,
)
from klustera.billing.services import record_payment
from klustera.estate.selectors import billing_contacts
from klustera.notifications.services import Address, notify
from klustera.observability.metrics import RECONCILIATIONS
from klustera.payments.models import PaymentAttempt, UnitVirtualAccount
from klustera.payments.services.account import xendit_client
from klustera.payments.xendit import XenditClient
from klustera.tenancy.context import tenant_atomic
from klustera.tenancy.links import tenant_url


def book_confirmed(client: XenditClient, attempt: PaymentAttempt, payment_id: str) -> str:
    """Book a payment as Xendit reports it when asked, not as the callback said."""
    payment = client.get_payment(payment_id)
    if payment.status != "SUCCEEDED" or payment.reference_id != attempt.reference_id:
        return f"not booked: Xendit says {payment.status} for {payment.reference_id}"
    return settle_attempt(
        attempt, amount=payment.amount, gateway_payment_id=payment.id, channel=payment.channel_code
    )


def book_transfer(account: UnitVirtualAccount, data: dict[str, Any]) -> str:
    """A transfer to a unit's virtual account: confirmed, then booked to the unit's oldest bills."""
    client = xendit_client()
    try:
        payment = client.get_payment(str(data["payment_id"]))
    finally:
        client.close()
    if payment.status != "SUCCEEDED" or payment.reference_id != account.reference_id:
        return f"not booked: Xendit says {payment.status} for {payment.reference_id}"
    with tenant_atomic():
        if Payment.objects.filter(gateway_payment_id=payment.id).exists():
            return "already booked"
        booked = record_payment(
            unit=account.unit,
            amount=payment.amount,
            method=Payment.Method.VIRTUAL_ACCOUNT,
            channel=account.bank,
            reference=payment.id,
            gateway_payment_id=payment.id,
        )
        invoice = booked.allocations.order_by("pk").values_list("invoice", flat=True).first()
        if invoice is not None:
            _thank_payer(booked, Invoice.objects.get(pk=invoice))
    return f"booked {booked.receipt_number}"


def settle_attempt(
    attempt: PaymentAttempt, *, amount: Decimal, gateway_payment_id: str, channel: str
) -> str:
    """Book what Xendit collected for an attempt, once per Xendit payment id.

    An amount other than the attempt's is booked (the money has arrived) but
    the attempt is flagged for a manager's review.
    """
    with tenant_atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status == PaymentAttempt.Status.PAID or (
            Payment.objects.filter(gateway_payment_id=gateway_payment_id).exists()
        ):
            return "already booked"
        payment = record_payment(
            unit=attempt.invoice.unit,
            amount=amount,
            method=_method(channel),
            channel=channel,
            reference=gateway_payment_id,
            gateway_payment_id=gateway_payment_id,
            for_invoice=attempt.invoice,
        )
        attempt.payment = payment
        attempt.status = PaymentAttempt.Status.PAID
        attempt.settled_at = timezone.now()
        if amount != attempt.amount:
            attempt.needs_review = True
            attempt.review_reason = f"asked {attempt.amount}, paid {amount}"
            record(
                actor=None,
                action="payment.amount_mismatch",
                target=attempt,
                asked=str(attempt.amount),
                paid=str(amount),
            )
        attempt.save(
            update_fields=["payment", "status", "settled_at", "needs_review", "review_reason"]
        )
        _thank_payer(payment, attempt.invoice)
    return f"booked {payment.receipt_number}"


def _thank_payer(payment: Payment, invoice: Invoice) -> None:
    """The unit's billing contact hears that the money arrived, with the receipt number."""
    resident = billing_contacts([payment.unit_id]).get(payment.unit_id)
    if resident is None:
        return
    notify(
        recipient=resident.user
        or Address(name=resident.name, phone=resident.phone, email=resident.email),
        template="payment_received",
        context={
            "name": resident.name,
            "amount": payment.amount,
            "unit": str(payment.unit),
            "reference": payment.receipt_number,
            "link": tenant_url("invoice-page", pk=invoice.pk),
        },
    )


def close_attempt(attempt: PaymentAttempt, *, expired: bool, failure: str = "") -> str:
    """An expiry closes a pending attempt; a failed try is noted, and the checkout stays open
    for another. A paid attempt never changes."""
    with tenant_atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status == PaymentAttempt.Status.PAID:
            return "already paid: unchanged"
        if expired:
            attempt.status = PaymentAttempt.Status.EXPIRED
            attempt.save(update_fields=["status"])
            return "expired"
        attempt.last_failure = failure[:40]
        attempt.save(update_fields=["last_failure"])
    return "a try failed; the checkout stays open"


def _method(channel: str) -> str:
    if channel == "QRIS":
        return Payment.Method.QRIS
    if channel.endswith("VIRTUAL_ACCOUNT"):
        return Payment.Method.VIRTUAL_ACCOUNT
    return Payment.Method.EWALLET


def reconcile_pending(*, older_than: timedelta = timedelta(minutes=15)) -> dict[str, int]:
    """Ask Xendit about attempts still pending after a while: callbacks that never came."""
    counts = {"checked": 0, "paid": 0, "expired": 0}
    pending = PaymentAttempt.objects.filter(
        status=PaymentAttempt.Status.PENDING,
        created_at__lt=timezone.now() - older_than,
    ).exclude(gateway_id="")
    if not pending.exists():
        return counts
    client = xendit_client()
    try:
        for attempt in pending:
            counts["checked"] += 1
            outcome = _reconcile(client, attempt)
            RECONCILIATIONS.labels(outcome).inc()
            if outcome in counts:
                counts[outcome] += 1
    finally:
        client.close()
    return counts


def _reconcile(client: XenditClient, attempt: PaymentAttempt) -> str:
    if attempt.kind == PaymentAttempt.Kind.QRIS:
        request = client.get_payment_request(attempt.gateway_id)
        if request.status == "SUCCEEDED":
            # The QRIS payment's own id comes by callback only; a PAY request is paid once,
            # so its id stands in (and the attempt, once paid, is never booked again).
            settle_attempt(
                attempt,
                amount=request.request_amount or attempt.amount,
                gateway_payment_id=request.id,
                channel=request.channel_code,
            )
            return "paid"
        status = request.status
    else:
        session = client.get_session(attempt.gateway_id)
        if session.status == "COMPLETED" and session.payment_id:
            book_confirmed(client, attempt, session.payment_id)
            return "paid"
        status = session.status
    if status in ("EXPIRED", "CANCELED"):
        close_attempt(attempt, expired=True)
        return "expired"
    return "pending"
