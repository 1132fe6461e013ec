"""Overdue invoices and the late fees they owe."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.audit.services import record
from klustera.billing.documents import invoices_changed
from klustera.billing.models import (
    OPEN_STATUSES,
    BillingSettings,
    Invoice,
    InvoiceLine,
)
from klustera.billing.services.invoicing import HUNDRED, whole_rupiah
from klustera.tenancy.context import tenant_atomic


def late_fees_owed(*, due_on: date, grace_days: int, today: date) -> int:
    """How many monthly late fees an invoice owes by ``today``.

    The first falls due the day after the grace period ends, one more at each
    month after that.
    """
    start = due_on + timedelta(days=grace_days + 1)
    if today < start:
        return 0
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    return months + 1


def charge_late_fees(*, today: date | None = None) -> dict[str, int]:
    """Mark invoices overdue after their due date and grace days; add the late fees owed.

    Each fee is its own line, numbered by the month of lateness it covers, so
    a second run on the same day adds nothing; fees stop at the cap.
    """
    config = BillingSettings.current()
    today = today or timezone.localdate()
    counts = {"overdue": 0, "fees": 0}
    cutoff = today - timedelta(days=config.grace_days + 1)
    for invoice in Invoice.objects.filter(status__in=OPEN_STATUSES, due_on__lte=cutoff):
        owed = late_fees_owed(due_on=invoice.due_on, grace_days=config.grace_days, today=today)
        with tenant_atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.status == Invoice.Status.PENDING:
                locked.status = Invoice.Status.OVERDUE
                counts["overdue"] += 1
            added = _add_late_fees(locked, owed, config)
            counts["fees"] += added
            locked.save(update_fields=["status", "total"])
            if added:
                invoices_changed([locked.pk])
    return counts


def _add_late_fees(invoice: Invoice, owed: int, config: BillingSettings) -> int:
    if config.late_fee == BillingSettings.LateFee.NONE:
        return 0
    lines = list(invoice.lines.all())
    charged = {line.late_fee_number for line in lines if line.late_fee_number}
    so_far = sum((line.amount for line in lines if line.late_fee_number), Decimal(0))
    bill = invoice.subtotal + invoice.tax
    added = 0
    for number in range(1, owed + 1):
        if number in charged:
            continue
        if config.late_fee == BillingSettings.LateFee.FLAT:
            fee = whole_rupiah(config.late_fee_value)
        else:
            fee = whole_rupiah(bill * config.late_fee_value / HUNDRED)
        if config.late_fee_cap is not None:
            fee = min(fee, config.late_fee_cap - so_far)
        if fee <= 0:
            break
        InvoiceLine.objects.create(
            invoice=invoice,
            description=_("Late fee, month %(n)s") % {"n": number},
            unit_price=fee,
            amount=fee,
            late_fee_number=number,
            created_at=timezone.now(),
        )
        record(actor=None, action="invoice.late_fee", target=invoice, month=number, amount=str(fee))
        invoice.total += fee
        so_far += fee
        added += 1
    return added
