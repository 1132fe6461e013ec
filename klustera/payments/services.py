"""Money received for a unit: how it is recorded, how it settles the unit's invoices.

Settlement rule: a unit's payments, oldest first, pay its open invoices,
oldest period first; what is left over is the unit's credit and pays the
next invoice as soon as it is issued. After every settlement a unit has
either credit or open invoices, never both.

Sections: recording and settling; online payments through Xendit (checkout,
QRIS, a virtual account per unit, callbacks, reconciliation); residents'
transfer proofs; reversals and refunds, which are entries of their own.
"""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.roles import Role
from klustera.audit.services import record
from klustera.billing.documents import invoices_changed, payment_recorded
from klustera.billing.models import OPEN_STATUSES, BillingSettings, Invoice
from klustera.billing.numbering import next_number
from klustera.crypto import decrypt, encrypt
from klustera.errors import StateConflict
from klustera.estate.models import Unit
from klustera.estate.selectors import billing_contacts
from klustera.formatting import EARLIEST_DAY
from klustera.notifications.services import Address, notify
from klustera.payments.models import (
    Allocation,
    CallbackEvent,
    Payment,
    PaymentAttempt,
    Refund,
    Reversal,
    TransferProof,
    UnitVirtualAccount,
    XenditAccount,
)
from klustera.payments.xendit import CHANNELS, Session, XenditClient, XenditError
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

logger = logging.getLogger(__name__)
MAX_PAYMENT = Decimal("1000000000")  # Rp 1 miliar: more is a typing error, not an IPL payment
RECEIPT_PREFIX = "KWT"  # kuitansi


def record_payment(
    *,
    unit: Unit,
    amount: Decimal,
    method: str,
    paid_at: datetime | None = None,
    reference: str = "",
    channel: str = "",
    note: str = "",
    actor: User | None = None,
    gateway_payment_id: str = "",
    attempt: PaymentAttempt | None = None,
    proof: Any = None,
) -> Payment:
    """Store a payment for ``unit`` with its receipt number and settle the unit's invoices."""
    if amount != amount.to_integral_value() or amount <= 0:
        raise ValidationError({"amount": [_("Enter a whole amount of Rupiah above zero.")]})
    if amount > MAX_PAYMENT:
        raise ValidationError({"amount": [_("This amount is too large for one payment.")]})
    if method not in Payment.Method.values:
        raise ValidationError({"method": [_("Unknown payment method.")]})
    paid_at = paid_at or timezone.now()
    if paid_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"paid_at": [_("A payment cannot be in the future.")]})
    if timezone.localdate(paid_at) < EARLIEST_DAY:
        raise ValidationError({"paid_at": [_("Use a date from 2000 on.")]})
    with tenant_atomic():
        payment = Payment.objects.create(
            unit=unit,
            amount=amount,
            method=method,
            channel=channel,
            reference=reference,
            note=note,
            paid_at=paid_at,
            recorded_by=actor,
            gateway_payment_id=gateway_payment_id,
            attempt=attempt,
            proof=proof or "",
            receipt_number=next_number(
                kind="receipt", prefix=RECEIPT_PREFIX, on=timezone.localdate(paid_at)
            ),
        )
        invoices_changed(settle_unit(unit))
        payment_recorded(payment)
        record(
            actor=actor,
            action="payment.recorded",
            target=payment,
            unit=str(unit),
            amount=str(amount),
            method=method,
            reference=reference,
        )
    return payment


def settle_unit(unit: Unit) -> list[int]:
    """Allocate the unit's unallocated payments to its open invoices; return those paid into."""
    with tenant_atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one settlement at a time
        free = _free_money(unit)
        settled: list[int] = []
        if not free:
            return settled
        invoices = Invoice.objects.select_for_update().filter(unit=unit, status__in=OPEN_STATUSES)
        for invoice in invoices.order_by("period", "pk"):
            last: Payment | None = None
            while free and invoice.balance_due > 0:
                payment, left = free[0]
                portion = min(left, invoice.balance_due)
                Allocation.objects.create(payment=payment, invoice=invoice, amount=portion)
                invoice.amount_paid += portion
                last = payment
                if portion == left:
                    free.pop(0)
                else:
                    free[0] = (payment, left - portion)
            if last is not None:
                _update_paid_status(invoice, paid_at=last.paid_at)
                settled.append(invoice.pk)
            if not free:
                break
        return settled


def _free_money(unit: Unit) -> list[tuple[Payment, Decimal]]:
    """What of each payment is not applied yet, oldest first, after the refunds paid out."""
    free: list[tuple[Payment, Decimal]] = [
        (payment, payment.amount - (payment.used or 0))
        for payment in Payment.objects.filter(unit=unit, reversal__isnull=True)
        .annotate(used=Sum("allocations__amount"))
        .order_by("paid_at", "pk")
        if payment.amount > (payment.used or 0)
    ]
    refunded = Refund.objects.filter(unit=unit).aggregate(total=Sum("amount"))["total"] or Decimal(
        0
    )
    while free and refunded:
        payment, left = free[0]
        taken = min(left, refunded)
        refunded -= taken
        if taken == left:
            free.pop(0)
        else:
            free[0] = (payment, left - taken)
    return free


def _update_paid_status(invoice: Invoice, *, paid_at: datetime) -> None:
    if invoice.amount_paid >= invoice.total:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = paid_at
    elif invoice.amount_paid > 0:
        invoice.status = Invoice.Status.PARTIALLY_PAID
    invoice.save(update_fields=["amount_paid", "status", "paid_at"])


def unit_credit(unit: Unit) -> Decimal:
    """Money paid for the unit and not yet applied to any invoice nor refunded."""
    return sum((left for _payment, left in _free_money(unit)), Decimal(0))


def units_with_credit(unit_ids: list[int]) -> set[int]:
    """Which of these units may hold money not yet applied (refunds are not looked at)."""
    payments = (
        Payment.objects.filter(unit_id__in=unit_ids, reversal__isnull=True)
        .annotate(used=Coalesce(Sum("allocations__amount"), Decimal(0)))
        .filter(amount__gt=F("used"))
    )
    return set(payments.values_list("unit_id", flat=True))


# --- Online payments through Xendit ----------------------------------------------------

KEY_PURPOSE = "payments.xendit-key"
CHECKOUT_TTL = timedelta(hours=24)  # a session left open for a day, not Xendit's 30 minutes
DEFAULT_CHANNELS = CHANNELS  # until the complex chooses


class GatewayUnavailable(Exception):
    """Xendit could not be reached or refused the request; nothing was charged."""


def xendit_account() -> XenditAccount:
    return XenditAccount.objects.get_or_create(pk=1)[0]


def update_xendit_account(*, changes: dict[str, Any], actor: User) -> XenditAccount:
    """Save the complex's Xendit keys (encrypted) and choices; audited without the secrets."""
    with tenant_atomic():
        account = XenditAccount.objects.select_for_update().get_or_create(pk=1)[0]
        for name, value in changes.items():
            if name in ("secret_key", "callback_token"):
                value = encrypt(value, purpose=KEY_PURPOSE) if value else ""
            setattr(account, name, value)
        account.save()
        record(actor=actor, action="payments.xendit_settings_changed", fields=sorted(changes))
    return account


def xendit_client(account: XenditAccount | None = None) -> XenditClient:
    account = account or xendit_account()
    secret = decrypt(account.secret_key, purpose=KEY_PURPOSE) if account.secret_key else ""
    return XenditClient(secret_key=secret, for_user_id=account.for_user_id)


def start_payment(
    *,
    invoice: Invoice,
    user: User,
    amount: Decimal | None = None,
    kind: str = PaymentAttempt.Kind.CHECKOUT,
) -> PaymentAttempt:
    """A hosted checkout (or a QRIS code) for an open invoice; a live one is reused.

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
            raise ValidationError(_("This invoice has nothing left to pay."))
        amount = invoice.balance_due if amount is None else amount
        if amount != invoice.balance_due and not account.allow_partial:
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
            return live
        attempt = PaymentAttempt.objects.create(
            invoice=invoice,
            kind=kind,
            amount=amount,
            reference_id=f"klustera-{uuid.uuid4().hex}",
            expires_at=timezone.now() + CHECKOUT_TTL,
            created_by=user,
        )
    client = xendit_client(account)
    description = f"IPL {invoice.unit} {invoice.period:%m/%Y} ({invoice.number})"
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
            session = _create_checkout(client, account, attempt, invoice, user, description)
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


def _create_checkout(
    client: XenditClient,
    account: XenditAccount,
    attempt: PaymentAttempt,
    invoice: Invoice,
    user: User,
    description: str,
) -> Session:
    link = tenant_url("invoice-page", pk=invoice.pk)
    return client.create_session(
        reference_id=attempt.reference_id,
        amount=attempt.amount,
        description=description,
        channels=account.channels or DEFAULT_CHANNELS,
        expires_at=attempt.expires_at,
        success_url=f"{link}?paid=1",
        cancel_url=link,
        customer={
            "reference_id": f"unit-{invoice.unit_id}",
            "type": "INDIVIDUAL",
            "individual_detail": {"given_names": user.name[:50] or "Warga"},
        },
        locale=user.language if user.language in ("id", "en") else "id",
    )


def receive_callback(*, token: str, body: bytes) -> CallbackEvent | None:
    """Check a Xendit callback, store it raw and queue its processing; None: not Xendit.

    The token is compared in constant time with the complex's own; the
    callback is answered at once and the work (a confirmation with Xendit,
    the books, the receipt) happens on the queue.
    """
    account = xendit_account()
    expected = (
        decrypt(account.callback_token, purpose=KEY_PURPOSE) if account.callback_token else ""
    )
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        logger.warning("Rejected a Xendit callback with a wrong or missing token")
        return None
    try:
        payload = json.loads(body)
        data = payload.get("data") or {}
        event_name = str(payload.get("event", ""))[:60]
    except (ValueError, AttributeError):
        raise ValidationError(_("The callback is not JSON.")) from None
    with tenant_atomic():
        event = CallbackEvent.objects.create(
            event=event_name,
            gateway_id=str(
                data.get("payment_id")
                or data.get("payment_session_id")
                or data.get("payment_request_id")
                or ""
            )[:100],
            body=payload,
        )
        enqueue("klustera.payments.tasks.process_callback", event.pk)
    return event


def process_callback(event: CallbackEvent) -> str:
    """Act on one stored callback, after confirming its news with Xendit; safe to repeat."""
    data = event.body.get("data") or {}
    reference = str(data.get("reference_id", ""))
    account = UnitVirtualAccount.objects.filter(reference_id=reference).first()
    if account is not None and event.event == "payment.capture":
        return _done(event, CallbackEvent.Status.PROCESSED, _book_transfer(account, data))
    attempt = PaymentAttempt.objects.filter(reference_id=reference).first()
    if attempt is None:
        return _done(event, CallbackEvent.Status.IGNORED, "no attempt with this reference")
    client = xendit_client()
    try:
        if event.event == "payment_session.completed":
            session = client.get_session(attempt.gateway_id or data["payment_session_id"])
            if session.status != "COMPLETED":
                return _done(event, CallbackEvent.Status.IGNORED, f"Xendit says {session.status}")
            outcome = _book_confirmed(client, attempt, session.payment_id or data["payment_id"])
        elif event.event == "payment.capture":
            outcome = _book_confirmed(client, attempt, data["payment_id"])
        elif event.event in ("payment_session.expired", "payment.failure"):
            outcome = close_attempt(attempt, expired=event.event.endswith("expired"))
        else:
            return _done(event, CallbackEvent.Status.IGNORED, "event not handled")
    except (XenditError, KeyError) as exc:
        _done(event, CallbackEvent.Status.FAILED, str(exc)[:300])
        raise
    finally:
        client.close()
    return _done(event, CallbackEvent.Status.PROCESSED, outcome)


def _book_confirmed(client: XenditClient, attempt: PaymentAttempt, payment_id: str) -> str:
    """Book a payment as Xendit reports it when asked, not as the callback said."""
    payment = client.get_payment(payment_id)
    if payment.status != "SUCCEEDED" or payment.reference_id != attempt.reference_id:
        return f"not booked: Xendit says {payment.status} for {payment.reference_id}"
    return settle_attempt(
        attempt, amount=payment.amount, gateway_payment_id=payment.id, channel=payment.channel_code
    )


def _book_transfer(account: UnitVirtualAccount, data: dict[str, Any]) -> str:
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


def open_virtual_account(*, unit: Unit, bank: str, actor: User) -> UnitVirtualAccount:
    """Give a unit its own virtual account number at Xendit (once; later calls return it)."""
    existing = UnitVirtualAccount.objects.filter(unit=unit).first()
    if existing is not None:
        return existing
    if bank not in CHANNELS or not bank.endswith("_VIRTUAL_ACCOUNT"):
        raise ValidationError({"bank": [_("Choose a bank's virtual account.")]})
    account = xendit_account()
    if not account.secret_key:
        raise StateConflict(
            _("Online payment is not set up for this complex yet."), code="payments_not_set_up"
        )
    tenant = current_tenant()
    reference = f"klustera-va-{unit.pk}-{uuid.uuid4().hex[:12]}"
    client = xendit_client(account)
    try:
        request = client.create_fixed_va(
            reference_id=reference,
            bank=bank,
            display_name=f"{tenant.name if tenant else 'IPL'} {unit}",
            expires_at=timezone.now() + timedelta(days=3650),
        )
    except XenditError as exc:
        raise GatewayUnavailable(str(exc)) from exc
    finally:
        client.close()
    with tenant_atomic():
        opened = UnitVirtualAccount.objects.create(
            unit=unit,
            bank=bank,
            number=request.action("VIRTUAL_ACCOUNT_NUMBER"),
            reference_id=reference,
            payment_request_id=request.id,
        )
        record(actor=actor, action="payments.virtual_account_opened", target=opened, bank=bank)
    return opened


def _done(event: CallbackEvent, status: str, outcome: str) -> str:
    CallbackEvent.objects.filter(pk=event.pk).update(status=status, outcome=outcome[:300])
    return outcome


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
            attempt=attempt,
        )
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
        attempt.save(update_fields=["status", "settled_at", "needs_review", "review_reason"])
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


def close_attempt(attempt: PaymentAttempt, *, expired: bool) -> str:
    """An expiry or a failed try closes a pending attempt; a paid one never changes."""
    with tenant_atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status == PaymentAttempt.Status.PAID:
            return "already paid: unchanged"
        if expired:
            attempt.status = PaymentAttempt.Status.EXPIRED
            attempt.save(update_fields=["status"])
            return "expired"
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
            _book_confirmed(client, attempt, session.payment_id)
            return "paid"
        status = session.status
    if status in ("EXPIRED", "CANCELED"):
        close_attempt(attempt, expired=True)
        return "expired"
    return "pending"


# --- Transfer proofs -------------------------------------------------------------------


def submit_transfer_proof(
    *, unit: Unit, user: User, amount: Decimal, transferred_on: date, image: Any, bank: str = ""
) -> TransferProof:
    """A resident sends the photo of a transfer; the managers are told to review it."""
    if amount != amount.to_integral_value() or amount <= 0 or amount > MAX_PAYMENT:
        raise ValidationError({"amount": [_("Enter a whole amount of Rupiah above zero.")]})
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
            raise ValidationError(_("This proof has already been reviewed."))
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
        for manager in User.objects.filter(groups__name=Role.PROPERTY_MANAGER, is_active=True):
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


# --- Reversals and refunds ---------------------------------------------------------------


def reverse_payment(*, payment: Payment, reason: str, actor: User) -> Reversal:
    """Undo a payment by an entry of its own: what it paid is open again (or paid by credit)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the payment is reversed.")]})
    with tenant_atomic():
        Unit.objects.select_for_update().filter(pk=payment.unit_id).first()
        if Reversal.objects.filter(payment=payment).exists():
            raise ValidationError(_("This payment has already been reversed."))
        if unit_credit(payment.unit) < payment.amount - _applied(payment):
            raise ValidationError(
                _("Part of this payment was refunded already; it cannot be reversed.")
            )
        now = timezone.now()
        reopened = []
        config = BillingSettings.current()
        for allocation in payment.allocations.select_related("invoice").filter(
            reversed_at__isnull=True
        ):
            invoice = Invoice.objects.select_for_update().get(pk=allocation.invoice_id)
            invoice.amount_paid -= allocation.amount
            if invoice.amount_paid > 0:
                invoice.status = Invoice.Status.PARTIALLY_PAID
            elif timezone.localdate() > invoice.due_on + timedelta(days=config.grace_days):
                invoice.status = Invoice.Status.OVERDUE
            else:
                invoice.status = Invoice.Status.PENDING
            invoice.paid_at = None
            invoice.save(update_fields=["amount_paid", "status", "paid_at"])
            allocation.reversed_at = now
            allocation.save(update_fields=["reversed_at"])
            reopened.append(invoice.pk)
        reversal = Reversal.objects.create(
            payment=payment, reason=reason.strip(), reversed_by=actor, created_at=now
        )
        reopened += settle_unit(payment.unit)  # other credit may pay what was reopened
        invoices_changed(sorted(set(reopened)))
        record(
            actor=actor,
            action="payment.reversed",
            target=payment,
            receipt=payment.receipt_number,
            amount=str(payment.amount),
            reason=reversal.reason,
        )
    return reversal


def _applied(payment: Payment) -> Decimal:
    used = payment.allocations.filter(reversed_at__isnull=True).aggregate(total=Sum("amount"))
    return Decimal(used["total"] or 0)


def refund_credit(
    *, unit: Unit, amount: Decimal, method: str, reason: str, actor: User, reference: str = ""
) -> Refund:
    """Pay a unit's credit back, all or part of it."""
    if amount != amount.to_integral_value() or amount <= 0:
        raise ValidationError({"amount": [_("Enter a whole amount of Rupiah above zero.")]})
    if method not in (Payment.Method.CASH, Payment.Method.BANK_TRANSFER):
        raise ValidationError({"method": [_("Refunds are paid in cash or by bank transfer.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the credit is refunded.")]})
    with tenant_atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        if amount > unit_credit(unit):
            raise ValidationError({"amount": [_("This is more than the unit's credit.")]})
        refund = Refund.objects.create(
            unit=unit,
            amount=amount,
            method=method,
            reference=reference,
            reason=reason.strip(),
            refunded_by=actor,
            created_at=timezone.now(),
        )
        record(actor=actor, action="payment.refunded", target=refund, amount=str(amount))
    return refund
