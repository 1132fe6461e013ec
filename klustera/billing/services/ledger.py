"""The receivables ledger: money received for a unit, and how it settles the unit's invoices.

Settlement rule: a unit's payments, oldest first, pay its open invoices,
oldest period first (a payment made for one invoice, at its checkout, pays
that one first); what is left over is the unit's credit and pays the
next invoice as soon as it is issued. After every settlement a unit has
either credit or open invoices, never both. Reversals and refunds are
entries of their own; nothing booked is edited or deleted.

This is the only place that writes payments, allocations and what an
invoice has been paid; the payment gateway books money by calling
``record_payment``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog
from django.core.exceptions import ValidationError
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.billing.documents import invoices_changed, receipt_changed
from klustera.billing.models import (
    OPEN_STATUSES,
    Allocation,
    BillingSettings,
    Invoice,
    Payment,
    Refund,
    Reversal,
)
from klustera.billing.numbering import next_number
from klustera.billing.signals import invoices_paid, payment_recorded
from klustera.estate.models import Unit
from klustera.formatting import EARLIEST_DAY
from klustera.tenancy.context import tenant_atomic

# Allocations still in force: a reversed payment's, or a released invoice's, are not.
LIVE = Q(allocations__reversed_at__isnull=True)
MAX_PAYMENT = Decimal("1000000000")  # Rp 1 miliar: more is a typing error, not an IPL payment
RECEIPT_PREFIX = "KWT"  # kuitansi

events = structlog.get_logger("klustera.events")


def check_payment_amount(amount: Decimal) -> None:
    """Money that moves in one go: whole Rupiah, above zero, at most ``MAX_PAYMENT``."""
    if amount != amount.to_integral_value() or amount <= 0:
        raise ValidationError({"amount": [_("Enter a whole amount of Rupiah above zero.")]})
    if amount > MAX_PAYMENT:
        raise ValidationError({"amount": [_("This amount is too large for one payment.")]})


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
    proof: Any = None,
    for_invoice: Invoice | None = None,
) -> Payment:
    """Store a payment for ``unit`` with its receipt number and settle the unit's invoices
    (``for_invoice`` first, if it is still open)."""
    check_payment_amount(amount)
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
            for_invoice=for_invoice,
            proof=proof or "",
            receipt_number=next_number(
                kind="receipt", prefix=RECEIPT_PREFIX, on=timezone.localdate(paid_at)
            ),
        )
        invoices_changed(settle_unit(unit))
        receipt_changed(payment)
        payment_recorded.send(sender=Payment, payment=payment)
        record(
            actor=actor,
            action="payment.recorded",
            target=payment,
            unit=str(unit),
            amount=str(amount),
            method=method,
            reference=reference,
        )
        events.info("payment.booked", payment=payment.pk, amount=str(amount), method=method)
    return payment


def settle_unit(unit: Unit) -> list[int]:
    """Allocate the unit's unallocated payments to its open invoices; return those paid into.

    Invoices paid in full are announced with ``invoices_paid`` (a booking's becomes confirmed).
    """
    with tenant_atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one settlement at a time
        free = _free_money(unit)
        if not free:
            return []
        invoices = list(
            Invoice.objects.select_for_update()
            .filter(unit=unit, status__in=OPEN_STATUSES)
            .order_by("period", "pk")
        )
        by_id = {invoice.pk: invoice for invoice in invoices}
        paid_into: dict[int, Payment] = {}
        for index, (payment, left) in enumerate(free):  # a checkout's money, its invoice first
            meant = by_id.get(payment.for_invoice_id or 0)
            if meant is not None and meant.balance_due > 0:
                portion = min(left, meant.balance_due)
                _allocate(payment, meant, portion)
                paid_into[meant.pk] = payment
                free[index] = (payment, left - portion)
        free = [(payment, left) for payment, left in free if left]
        for invoice in invoices:
            while free and invoice.balance_due > 0:
                payment, left = free[0]
                portion = min(left, invoice.balance_due)
                _allocate(payment, invoice, portion)
                paid_into[invoice.pk] = payment
                if portion == left:
                    free.pop(0)
                else:
                    free[0] = (payment, left - portion)
            if not free:
                break
        for invoice in invoices:
            if invoice.pk in paid_into:
                _update_paid_status(invoice, paid_at=paid_into[invoice.pk].paid_at)
        settled = [invoice.pk for invoice in invoices if invoice.pk in paid_into]
        paid = [pk for pk in settled if by_id[pk].status == Invoice.Status.PAID]
        if paid:
            invoices_paid.send(sender=Invoice, invoice_ids=paid)
        return settled


def _allocate(payment: Payment, invoice: Invoice, amount: Decimal) -> None:
    Allocation.objects.create(payment=payment, invoice=invoice, amount=amount)
    invoice.amount_paid += amount


def _free_money(unit: Unit) -> list[tuple[Payment, Decimal]]:
    """What of each payment is not applied yet, oldest first, after the refunds paid out."""
    free: list[tuple[Payment, Decimal]] = [
        (payment, payment.amount - (payment.used or 0))
        for payment in Payment.objects.filter(unit=unit, reversal__isnull=True)
        .annotate(used=Sum("allocations__amount", filter=LIVE))
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


def unallocate(invoice: Invoice) -> Decimal:
    """Take back what was paid on ``invoice`` (being released): its allocations stop
    counting and the money is free again; how much. The caller settles the unit."""
    live = invoice.allocations.filter(reversed_at__isnull=True)
    released = live.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    live.update(reversed_at=timezone.now())
    invoice.amount_paid -= released
    return Decimal(released)


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
        .annotate(used=Coalesce(Sum("allocations__amount", filter=LIVE), Decimal(0)))
        .filter(amount__gt=F("used"))
    )
    return set(payments.values_list("unit_id", flat=True))


def reverse_payment(*, payment: Payment, reason: str, actor: User) -> Reversal:
    """Undo a payment by an entry of its own: what it paid is open again (or paid by credit)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the payment is reversed.")]})
    with tenant_atomic():
        Unit.objects.select_for_update().filter(pk=payment.unit_id).first()
        if Reversal.objects.filter(payment=payment).exists():
            raise ValidationError(
                _("This payment has already been reversed."), code="payment_already_reversed"
            )
        if unit_credit(payment.unit) < payment.amount - _applied(payment):
            raise ValidationError(
                _("Part of this payment was refunded already; it cannot be reversed."),
                code="payment_partly_refunded",
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
        receipt_changed(payment)  # stamped REVERSED
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
    check_payment_amount(amount)
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
