"""Printable invoices and receipts: WeasyPrint from Django templates, kept in media storage.

A document is rendered from its current data and stored under the complex's
own folder (``<slug>/invoices/…``). A change to an invoice empties its file
and queues a new rendering on the ``billing`` queue; a download of a document
not yet rendered renders it on the spot.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from klustera.billing.models import BillingSettings, Invoice, Payment
from klustera.billing.reports import Report
from klustera.estate.selectors import billing_contacts
from klustera.formatting import rupiah_in_words
from klustera.pdf import html_to_pdf, qr_data_uri
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url


def _logo_data_uri() -> str:
    logo = BillingSettings.current().logo
    if not logo:
        return ""
    with logo.open("rb") as handle:
        content = handle.read()
    kind = "png" if content.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(content).decode()}"


def _recipient(unit_id: int) -> tuple[str, str]:
    """Whom a unit's documents are for: its billing contact's name and language."""
    tenant = current_tenant()
    language = tenant.locale if tenant else "id"
    contact = billing_contacts([unit_id]).get(unit_id)
    if contact is None:
        return "", language
    if contact.user is not None and contact.user.language in ("id", "en"):
        language = contact.user.language
    return contact.name, language


def _render(template: str, context: dict[str, Any], unit_id: int | None) -> bytes:
    """The document in its recipient's language (a report: the reader's), with the complex's
    name, address and logo."""
    tenant = current_tenant()
    config = BillingSettings.current()
    if unit_id is None:
        recipient, language = "", translation.get_language() or "id"
    else:
        recipient, language = _recipient(unit_id)
    with translation.override(language):
        html = render_to_string(
            template,
            {
                **context,
                "recipient": recipient,
                "complex": tenant.name if tenant else "",
                "address": config.address,
                "logo": _logo_data_uri(),
                "instructions": config.payment_instructions,
                "printed_at": timezone.localtime(),
            },
        )
    return html_to_pdf(html)


def render_invoice(invoice: Invoice) -> bytes:
    link = tenant_url("invoice-page", pk=invoice.pk)
    lines = list(invoice.lines.all())
    return _render(
        "billing/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": [line for line in lines if not line.is_tax and not line.late_fee_number],
            "tax_lines": [line for line in lines if line.is_tax],
            "late_fees": [line for line in lines if line.late_fee_number],
            "in_words": rupiah_in_words(invoice.total),
            "due_in_words": rupiah_in_words(invoice.balance_due),
            "link": link,
            "qr": qr_data_uri(link),
        },
        invoice.unit_id,
    )


def render_receipt(payment: Payment) -> bytes:
    allocations = list(payment.allocations.select_related("invoice"))
    return _render(
        "billing/receipt_pdf.html",
        {
            "payment": payment,
            "allocations": allocations,
            "credit": payment.amount - sum(a.amount for a in allocations),
            "in_words": rupiah_in_words(payment.amount),
        },
        payment.unit_id,
    )


def render_report(report: Report) -> bytes:
    """A report as an A4 PDF (landscape), in the reader's language."""
    return _render("billing/report_pdf.html", {"report": report}, None)


def _save(folder: str, number: str, content: bytes) -> str:
    """Store a document under the complex's own folder, in place of its previous file.

    Callers hold the document's row lock: two writers of the same file at
    once would delete each other's file as it is written.
    """
    tenant = current_tenant()
    if tenant is None:
        raise ValueError("Documents are stored per complex: select one first")
    name = f"{tenant.slug}/{folder}/{number.replace('/', '-')}.pdf"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def store_invoice_pdf(invoice: Invoice) -> str:
    """Render the invoice as it is now and store it (one writer at a time per invoice)."""
    content = render_invoice(invoice)
    with tenant_atomic():
        list(Invoice.objects.select_for_update().filter(pk=invoice.pk).values_list("pk"))
        stored = _save("invoices", invoice.number, content)
        Invoice.objects.filter(pk=invoice.pk).update(pdf=stored)
    invoice.pdf.name = stored
    return stored


def store_receipt_pdf(payment: Payment) -> str:
    """Render the receipt and store it (one writer at a time per payment)."""
    content = render_receipt(payment)
    with tenant_atomic():
        list(Payment.objects.select_for_update().filter(pk=payment.pk).values_list("pk"))
        stored = _save("receipts", payment.receipt_number, content)
        Payment.objects.filter(pk=payment.pk).update(receipt_pdf=stored)
    payment.receipt_pdf.name = stored
    return stored


def invoice_pdf(invoice: Invoice) -> bytes:
    """The stored PDF of the invoice, rendered now if a change has not been rendered yet."""
    name = invoice.pdf.name
    if not name or not default_storage.exists(name):
        name = store_invoice_pdf(invoice)
    return _read(name)


def receipt_pdf(payment: Payment) -> bytes:
    name = payment.receipt_pdf.name
    if not name or not default_storage.exists(name):
        name = store_receipt_pdf(payment)
    return _read(name)


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def invoices_changed(invoice_ids: list[int]) -> None:
    """Forget the rendered PDFs of changed invoices and render them again after commit."""
    if not invoice_ids:
        return
    Invoice.objects.filter(pk__in=invoice_ids).update(pdf="")
    enqueue("klustera.billing.tasks.render_invoice_pdfs", invoice_ids)


def receipt_changed(payment: Payment) -> None:
    """Forget a payment's rendered receipt (if any) and render it again after commit."""
    Payment.objects.filter(pk=payment.pk).exclude(receipt_pdf="").update(receipt_pdf="")
    enqueue("klustera.billing.tasks.render_receipt_pdf", payment.pk)
