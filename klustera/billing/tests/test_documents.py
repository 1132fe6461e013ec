"""Printable invoices and receipts: real PDFs, read back as text."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from klustera.billing.documents import invoice_pdf, receipt_pdf, store_invoice_pdf
from klustera.billing.models import Invoice, Tariff
from klustera.billing.services import generate_invoices, record_payment
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

DEC = date(2026, 12, 1)


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def billed(tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        Tariff.objects.create(
            charge="IPL", basis="land_area", rate=Decimal("3257.5"), effective_from=DEC
        )
        generate_invoices(period=DEC)
    return data


def test_the_invoice_pdf_shows_the_total_in_figures_and_words(billed, tenant_a) -> None:
    with tenant_context(tenant_a):
        invoice = Invoice.objects.get(unit__number="01")
        text = text_of(invoice_pdf(invoice))
        assert invoice.total == Decimal("325750")  # 100 m² × 3.257,5
        assert invoice.number in text
        assert "Rp 325.750" in text
        assert "Tiga ratus dua puluh lima ribu tujuh ratus lima puluh rupiah" in text
        assert "A-01" in text and "Complex alpha" in text
        assert "/c/alpha/invoices/" in text  # the payment link under the QR
        # Stored in the complex's own folder, and served from there the next time.
        assert invoice.pdf.name.startswith("alpha/invoices/")
        assert default_storage.exists(invoice.pdf.name)


def test_a_payment_renders_the_invoice_again_and_issues_a_receipt(
    billed, tenant_a, committed
) -> None:
    with tenant_context(tenant_a):
        invoice = Invoice.objects.get(unit__number="01")
        store_invoice_pdf(invoice)
        before = text_of(invoice_pdf(invoice))
    payment = committed(
        tenant_a,
        lambda: record_payment(unit=invoice.unit, amount=Decimal("400000"), method="cash"),
    )
    with tenant_context(tenant_a):
        invoice.refresh_from_db()
        payment.refresh_from_db()
        assert invoice.status == "paid"
        assert invoice.pdf and payment.receipt_pdf  # both rendered on the billing queue
        after = text_of(invoice_pdf(invoice))
        receipt = text_of(receipt_pdf(payment))
    assert "LUNAS" not in before and "LUNAS" in after
    assert payment.receipt_number in receipt
    assert "Rp 400.000" in receipt and "Rp 74.250" in receipt  # the credit left over
    assert "Empat ratus ribu rupiah" in receipt


def test_residents_download_their_own_pdfs_only(billed, tenant_a) -> None:
    resident = Client(HTTP_AUTHORIZATION=f"Bearer {billed.resident_token}")
    with tenant_context(tenant_a):
        mine = Invoice.objects.get(unit__number="01")
        other = Invoice.objects.get(unit__number="02")
        payment = record_payment(unit=other.unit, amount=Decimal("1000"), method="cash")
    response = resident.get(f"/c/alpha/api/v1/invoices/{mine.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert mine.number in text_of(response.content)
    assert resident.get(f"/c/alpha/api/v1/invoices/{other.pk}/pdf").status_code == 404
    assert resident.get(f"/c/alpha/api/v1/payments/{payment.pk}/receipt").status_code == 404
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {billed.manager_token}")
    receipt = manager.get(f"/c/alpha/api/v1/payments/{payment.pk}/receipt")
    assert receipt.status_code == 200 and payment.receipt_number in text_of(receipt.content)


def test_the_portal_page_behind_the_qr(billed, tenant_a) -> None:
    client = Client()
    with tenant_context(tenant_a):
        invoice = Invoice.objects.get(unit__number="01")
    page = f"/c/alpha/invoices/{invoice.pk}/"
    assert client.get(page).status_code == 302  # to the login
    client.post("/c/alpha/login", {"username": "081300000002", "password": "x-pass-123"})
    response = client.get(page)
    assert response.status_code == 200
    assert "Rp 325.750" in response.content.decode()
    pdf = client.get(f"{page}pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_documents_name_whom_they_are_for_in_their_language_and_a_reversal_is_stamped(
    billed, tenant_a, committed
) -> None:
    from klustera.accounts.services import update_profile
    from klustera.billing.services import reverse_payment, update_billing_settings

    with tenant_context(tenant_a):
        update_billing_settings(changes={"address": "Jl. Melati 5, Bekasi"}, actor=billed.manager)
        update_profile(user=billed.resident_user, name="Resident alpha", email="", language="en")
        invoice = Invoice.objects.get(unit__number="01")
        text = text_of(invoice_pdf(invoice))
    assert "Billed to" in text and "Resident alpha" in text  # the billing contact, in English
    assert "Jl. Melati 5, Bekasi" in text and "INVOICE" in text
    payment = committed(
        tenant_a,
        lambda: record_payment(
            unit=invoice.unit,
            amount=Decimal("400000"),
            method="cash",
            paid_at=timezone.make_aware(datetime(2026, 11, 30, 12, 0)),
        ),
    )
    with tenant_context(tenant_a):
        payment.refresh_from_db()
        receipt = text_of(receipt_pdf(payment))
        assert "Received from Resident alpha" in receipt.replace("\n", " ")
        assert "30 Nov 2026" in receipt and "12:00" not in receipt  # a day, not a made-up time
    committed(
        tenant_a,
        lambda: reverse_payment(payment=payment, reason="Bounced", actor=billed.manager),
    )
    with tenant_context(tenant_a):
        payment.refresh_from_db()
        assert "REVERSED" in text_of(receipt_pdf(payment))
