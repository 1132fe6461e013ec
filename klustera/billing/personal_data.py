"""The personal data of the ledger (see klustera.privacy.declaration)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klustera.billing.models import Invoice
from klustera.formatting import rupiah
from klustera.privacy.declaration import Category, Erase, Personal, Processor, Retention

# A unit's books are the household's: whoever lived there sees them, and they stay for
# the tax law's ten years under the pseudonym of anyone who asks to be forgotten.
HOUSEHOLD = "unit__occupancies__resident__user"

PERSONAL_DATA = [
    Personal(
        "billing.Invoice",
        owner=HOUSEHOLD,
        fields={"pdf": Category.FINANCIAL},
        shows=("number", "period", "status", "total", "amount_paid", "due_on"),
        purpose=gettext_lazy("Billing the service fee (IPL) and other charges"),
        retention=Retention.FINANCIAL,
        erase=Erase.KEEP,
        dated_by="issued_at",
    ),
    Personal(
        "billing.Payment",
        owner=HOUSEHOLD,
        fields={"receipt_pdf": Category.FINANCIAL, "proof": Category.FINANCIAL},
        shows=("receipt_number", "amount", "method", "paid_at"),
        purpose=gettext_lazy("Recording payments and issuing receipts"),
        retention=Retention.FINANCIAL,
        erase=Erase.KEEP,
        dated_by="paid_at",
        processors=(Processor.XENDIT,),
    ),
]

NOT_PERSONAL = {
    "billing.BillingSettings.address": "the complex's own address, printed on invoices",
    "billing.BillingSettings.tax_label": "the name of a tax",
}


def unpaid_note(user: Any) -> str:
    """What a manager must know before anonymising ``user``: the unpaid invoices of the units
    they live in stay on those units' books (and keep their debt)."""
    open_statuses = [Invoice.Status.PENDING, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE]
    owed = Invoice.objects.filter(
        unit__occupancies__resident__user=user,
        unit__occupancies__end_on__isnull=True,
        status__in=open_statuses,
    ).distinct()
    total = sum((invoice.balance_due for invoice in owed), Decimal(0))
    if not total:
        return ""
    units = ", ".join(sorted({str(invoice.unit) for invoice in owed.select_related("unit")}))
    return _(
        "%(amount)s is still unpaid on %(units)s: the invoices stay on the unit's books under "
        "the pseudonym, and the debt remains."
    ) % {"amount": rupiah(total), "units": units}
