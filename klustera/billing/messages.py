"""Messages of billing: invoices issued, reminders and overdue notices."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category

MESSAGES = [
    MessageTemplate(
        key="invoice_issued",
        category=Category.BILLING,
        params=("name", "period", "unit", "amount", "due_date", "link"),
        subject={
            "id": "Tagihan IPL {period} unit {unit}",
            "en": "Service fee {period}, {unit}",
        },
        body={
            "id": "Halo {name}, tagihan IPL {period} untuk unit {unit} sebesar {amount} "
            "sudah terbit, jatuh tempo {due_date}. Lihat dan bayar: {link}",
            "en": "Hello {name}, the {period} service fee for unit {unit} of {amount} "
            "has been issued, due {due_date}. View and pay: {link}",
        },
    ),
    MessageTemplate(
        key="payment_reminder",
        category=Category.BILLING,
        params=("name", "unit", "amount", "due_date", "link"),
        subject={"id": "Pengingat pembayaran unit {unit}", "en": "Payment reminder, {unit}"},
        body={
            "id": "Halo {name}, tagihan unit {unit} sebesar {amount} jatuh tempo "
            "{due_date}. Bayar dengan QRIS, VA atau e-wallet: {link}",
            "en": "Hello {name}, the bill for unit {unit} of {amount} is due {due_date}. "
            "Pay by QRIS, virtual account or e-wallet: {link}",
        },
    ),
    MessageTemplate(
        key="payment_overdue",
        category=Category.BILLING,
        params=("name", "unit", "amount", "due_date", "link"),
        subject={"id": "Tagihan unit {unit} lewat jatuh tempo", "en": "Overdue bill, {unit}"},
        body={
            "id": "Halo {name}, tagihan unit {unit} sebesar {amount} telah lewat jatuh "
            "tempo {due_date}. Mohon segera dibayar agar tidak dikenai denda: {link}",
            "en": "Hello {name}, the bill for unit {unit} of {amount} was due {due_date}. "
            "Please pay it soon to avoid late fees: {link}",
        },
    ),
]
