"""Payments' portal pages: cash payments and transfer proofs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from klustera.billing.models import Invoice
from klustera.tenancy.context import tenant_context


def test_a_manager_records_a_cash_payment_and_reviews_a_transfer_proof(portal, tenant_a) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from klustera.payments.models import TransferProof
    from klustera.payments.services import submit_transfer_proof

    manager = portal["clients"]["manager"]
    page = manager.get("/c/alpha/manage/payments/").content.decode()
    assert '<option value="A-01">tunggakan Rp 250.000</option>' in page  # found by search
    form = {"unit": "a-01", "amount": "Rp 250.000", "method": "cash", "paid_on": "2026-11-20"}
    unknown = manager.post("/c/alpha/manage/payments/", {**form, "unit": "Z-99"})
    assert 'class="error"' in unknown.content.decode()
    assert manager.post("/c/alpha/manage/payments/", form).status_code == 302
    with tenant_context(tenant_a):
        assert Invoice.objects.get(pk=portal["invoice"].pk).status == "paid"
        png = (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
            b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01"
            b"\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
        )
        from klustera.accounts.models import User

        proof = submit_transfer_proof(
            unit=portal["units"][1],
            user=User.objects.get(phone="+6281300000002"),
            amount=Decimal("250000"),
            transferred_on=date(2026, 11, 20),
            image=SimpleUploadedFile("slip.png", png, content_type="image/png"),
        )
    page = manager.get("/c/alpha/manage/payments/").content.decode()
    assert f"/manage/payments/proofs/{proof.pk}/review" in page
    assert manager.get(f"/c/alpha/manage/payments/proofs/{proof.pk}/image").status_code == 200
    review = f"/c/alpha/manage/payments/proofs/{proof.pk}/review"
    assert portal["clients"]["resident"].post(review, {"approve": "1"}).status_code == 403
    manager.post(review, {"approve": "1"})
    with tenant_context(tenant_a):
        assert TransferProof.objects.get(pk=proof.pk).status == "approved"
        assert (
            Invoice.objects.get(unit=portal["units"][1], period=portal["invoice"].period).status
            == "paid"
        )
