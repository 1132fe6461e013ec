"""Recording money received and settling a unit's invoices with it.

Settlement rule: a unit's payments, oldest first, pay its open invoices,
oldest period first; what is left over is the unit's credit and pays the
next invoice as soon as it is issued. After every settlement a unit has
either credit or open invoices, never both.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.billing.documents import invoices_changed, payment_recorded
from klustera.billing.models import OPEN_STATUSES, Invoice
from klustera.billing.numbering import next_number
from klustera.estate.models import Unit
from klustera.payments.models import Allocation, Payment
from klustera.tenancy.context import tenant_atomic

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
        free: list[tuple[Payment, Decimal]] = [
            (payment, payment.amount - (payment.used or 0))
            for payment in Payment.objects.filter(unit=unit)
            .annotate(used=Sum("allocations__amount"))
            .order_by("paid_at", "pk")
            if payment.amount > (payment.used or 0)
        ]
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


def _update_paid_status(invoice: Invoice, *, paid_at: datetime) -> None:
    if invoice.amount_paid >= invoice.total:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = paid_at
    elif invoice.amount_paid > 0:
        invoice.status = Invoice.Status.PARTIALLY_PAID
    invoice.save(update_fields=["amount_paid", "status", "paid_at"])


def unit_credit(unit: Unit) -> Decimal:
    """Money paid for the unit and not yet applied to any invoice."""
    paid = Payment.objects.filter(unit=unit).aggregate(total=Sum("amount"))["total"] or 0
    used = Allocation.objects.filter(payment__unit=unit).aggregate(total=Sum("amount"))["total"]
    return Decimal(paid) - Decimal(used or 0)


def units_with_credit(unit_ids: list[int]) -> set[int]:
    """Which of these units hold money not yet applied to an invoice."""
    payments = (
        Payment.objects.filter(unit_id__in=unit_ids)
        .annotate(used=Coalesce(Sum("allocations__amount"), Decimal(0)))
        .filter(amount__gt=F("used"))
    )
    return set(payments.values_list("unit_id", flat=True))
