"""Paying an invoice online: a hosted checkout session or a QRIS code."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.billing.models import (
    OPEN_STATUSES,
    Invoice,
)
from klustera.errors import StateConflict
from klustera.facilities.models import Booking
from klustera.facilities.selectors import booking_paid_by
from klustera.payments.models import PaymentAttempt, XenditAccount
from klustera.payments.services.account import GatewayUnavailable, xendit_account, xendit_client
from klustera.payments.xendit import CHANNELS, Session, XenditClient, XenditError
from klustera.tenancy.context import tenant_atomic
from klustera.tenancy.links import tenant_url

CHECKOUT_TTL = timedelta(hours=24)  # a session left open for a day, not Xendit's 30 minutes
DEFAULT_CHANNELS = CHANNELS  # until the complex chooses

logger = logging.getLogger(__name__)


def start_payment(
    *,
    invoice: Invoice,
    user: User,
    amount: Decimal | None = None,
    kind: str = PaymentAttempt.Kind.CHECKOUT,
) -> PaymentAttempt:
    """A hosted checkout (or a QRIS code) for an open invoice; a live one is reused. A
    booking's invoice is paid within the booking's hold, and its checkout ends with it.

    The attempt is stored before Xendit is called, under a lock on the
    invoice, so a double click cannot make two charges: the second click
    gets the first attempt.
    """
    account = xendit_account()
    if not account.secret_key:
        raise StateConflict(
            _("Online payment is not set up for this complex yet."), code="payments_not_set_up"
        )
    with tenant_atomic():
        invoice = Invoice.objects.select_for_update().select_related("unit").get(pk=invoice.pk)
        if invoice.status not in OPEN_STATUSES or invoice.balance_due <= 0:
            raise ValidationError(
                _("This invoice has nothing left to pay."), code="invoice_already_paid"
            )
        booking = booking_paid_by(invoice)
        pay_by = _hold_of(booking) if booking else None
        amount = invoice.balance_due if amount is None else amount
        if amount != invoice.balance_due and (booking or not account.allow_partial):
            raise ValidationError({"amount": [_("This complex takes the full amount only.")]})
        if amount <= 0 or amount > invoice.balance_due or amount != amount.to_integral_value():
            raise ValidationError(
                {"amount": [_("Enter a whole amount up to what is still to pay.")]}
            )
        live = (
            invoice.attempts.filter(
                status__in=(PaymentAttempt.Status.CREATING, PaymentAttempt.Status.PENDING),
                kind=kind,
                amount=amount,
                expires_at__gt=timezone.now() + timedelta(minutes=5),
            )
            .order_by("-created_at")
            .first()
        )
        if live is not None:
            if live.last_failure:  # another try: the page says only what becomes of this one
                live.last_failure = ""
                live.save(update_fields=["last_failure"])
            return live
        attempt = PaymentAttempt.objects.create(
            invoice=invoice,
            kind=kind,
            amount=amount,
            reference_id=f"klustera-{uuid.uuid4().hex}",
            expires_at=pay_by or timezone.now() + CHECKOUT_TTL,
            created_by=user,
        )
    client = xendit_client(account)
    description = f"IPL {invoice.unit} {invoice.period:%m/%Y} ({invoice.number})"
    if invoice.kind == Invoice.Kind.CHARGE:
        first = invoice.lines.order_by("pk").first()
        description = f"{first.description if first else invoice.unit} ({invoice.number})"
    try:
        if kind == PaymentAttempt.Kind.QRIS:
            request = client.create_qris(
                reference_id=attempt.reference_id,
                amount=amount,
                expires_at=attempt.expires_at,
                description=description,
            )
            attempt.gateway_id, attempt.qr_string = request.id, request.action("QR_STRING")
        else:
            link = (
                tenant_url("booking-page", pk=booking.pk)
                if booking
                else tenant_url("invoice-page", pk=invoice.pk)
            )
            session = _create_checkout(client, account, attempt, invoice, user, description, link)
            attempt.gateway_id, attempt.checkout_url = session.id, session.payment_link_url
    except XenditError as exc:
        logger.warning("Xendit refused attempt %s: %s", attempt.reference_id, exc)
        PaymentAttempt.objects.filter(pk=attempt.pk).update(status=PaymentAttempt.Status.FAILED)
        raise GatewayUnavailable(str(exc)) from exc
    finally:
        client.close()
    attempt.status = PaymentAttempt.Status.PENDING
    attempt.save(update_fields=["gateway_id", "checkout_url", "qr_string", "status"])
    return attempt


def _hold_of(booking: Booking) -> datetime:
    """When a booking stops being held: its invoice is paid by then, or not at all."""
    if (
        booking.status != Booking.Status.PENDING_PAYMENT
        or not booking.hold_until
        or (booking.hold_until <= timezone.now())
    ):
        raise StateConflict(
            _("The booking's hold has ended; book the time again."), code="booking_hold_ended"
        )
    return booking.hold_until


def _create_checkout(
    client: XenditClient,
    account: XenditAccount,
    attempt: PaymentAttempt,
    invoice: Invoice,
    user: User,
    description: str,
    link: str,
) -> Session:
    return client.create_session(
        reference_id=attempt.reference_id,
        amount=attempt.amount,
        description=description,
        channels=account.channels or DEFAULT_CHANNELS,
        expires_at=attempt.expires_at,
        success_url=f"{link}?paid=1",
        cancel_url=f"{link}?paid=0",  # back without paying: the page says what became of it
        customer={
            "reference_id": f"unit-{invoice.unit_id}",
            "type": "INDIVIDUAL",
            "individual_detail": {"given_names": user.name[:50] or "Warga"},
        },
        locale=user.language if user.language in ("id", "en") else "id",
    )
