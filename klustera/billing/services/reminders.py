"""Reminders of what is due, to each unit's billing contact."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.billing.models import (
    OPEN_STATUSES,
    BillingSettings,
    Invoice,
)
from klustera.billing.selectors import overdue_invoices
from klustera.estate.selectors import billing_contacts
from klustera.notifications.services import Address, Reach, notify
from klustera.tenancy.context import tenant_atomic
from klustera.tenancy.links import tenant_url


def tell_billing_contact(invoices: list[Invoice], template: str) -> Reach:
    """Send ``template`` about each invoice to its unit's billing contact: who it reaches, how."""
    contacts = billing_contacts([invoice.unit_id for invoice in invoices])
    reach = Reach()
    for invoice in invoices:
        resident = contacts.get(invoice.unit_id)
        if resident is None:
            continue
        recipient: User | Address = resident.user or Address(
            name=resident.name, phone=resident.phone, email=resident.email
        )
        messages = notify(
            recipient=recipient,
            template=template,
            context={
                "name": resident.name,
                "unit": str(invoice.unit),
                "period": f"{invoice.period:%m/%Y}",
                "amount": invoice.balance_due,
                "due_date": invoice.due_on,
                "link": tenant_url("invoice-page", pk=invoice.pk),
            },
        )
        reach.add(messages)
    return reach


def remind_invoice(*, invoice: Invoice, actor: User) -> Reach:
    """A manager reminds the unit's billing contact of an open invoice now (audited)."""
    if invoice.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Only an open invoice can be reminded of."), code="invoice_not_open"
        )
    template = "payment_overdue" if invoice.status == Invoice.Status.OVERDUE else "payment_reminder"
    with tenant_atomic():
        reach = tell_billing_contact([invoice], template)
        if not reach.recipients:
            raise ValidationError(
                _("This unit has no billing contact to remind."), code="no_billing_contact"
            )
        record(actor=actor, action="invoice.reminded", target=invoice, reached=reach.reached)
    return reach


def send_reminders(*, today: date) -> dict[str, int]:
    """Remind billing contacts N days before the due date and N days after it (settings)."""
    config = BillingSettings.current()
    counts = {"before": 0, "after": 0}
    open_invoices = Invoice.objects.filter(status__in=OPEN_STATUSES).select_related("unit")
    if config.remind_days_before:
        due = open_invoices.filter(due_on=today + timedelta(days=config.remind_days_before))
        counts["before"] = tell_billing_contact(list(due), "payment_reminder").recipients
    if config.remind_days_after:
        late = open_invoices.filter(due_on=today - timedelta(days=config.remind_days_after))
        counts["after"] = tell_billing_contact(list(late), "payment_overdue").recipients
    return counts


def remind_overdue(*, actor: User) -> Reach:
    """Remind the billing contact of every unit with an overdue invoice, once per unit
    (about its oldest overdue invoice); audited with how many were reached."""
    with tenant_atomic():
        oldest: dict[int, Invoice] = {}
        for invoice in overdue_invoices():
            oldest.setdefault(invoice.unit_id, invoice)
        reach = tell_billing_contact(list(oldest.values()), "payment_overdue")
        record(
            actor=actor,
            action="invoice.overdue_reminded",
            units=len(oldest),
            reached=reach.reached,
            unreachable=reach.unreachable,
        )
    return reach
