"""Money that arrives outside Xendit: cash and transfers at the office, residents' proofs."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from klustera.billing.models import Invoice, Payment, Tariff
from klustera.billing.services import generate_invoices
from klustera.payments.models import TransferProof
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex


def photo(name: str = "slip.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def setup(tenant_a, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    with tenant_context(tenant_a):
        Tariff.objects.create(charge="IPL", rate=Decimal("250000"), effective_from=date(2026, 1, 1))
        generate_invoices(period=date(2026, 11, 1))
    data["resident"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['resident_token']}")
    data["manager"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['manager_token']}")
    return data


def test_a_resident_sends_a_transfer_proof_and_a_manager_approves_it(setup, tenant_a) -> None:
    a01, a02 = (unit.pk for unit in setup["units"])
    url = "/c/alpha/api/v1/payments/transfer-proofs"
    body = {"unit": a01, "amount": "250000", "transferred_on": "2026-11-05", "bank": "BCA a.n. X"}
    sent = setup["resident"].post(url, {**body, "image": photo()})
    assert sent.status_code == 201, sent.content
    proof = sent.json()["data"]
    assert proof["status"] == "pending"
    # Not for someone else's unit, not without a real photo, not in the future.
    assert setup["resident"].post(url, {**body, "unit": a02, "image": photo()}).status_code == 404
    fake = SimpleUploadedFile("slip.png", b"not an image", content_type="image/png")
    assert setup["resident"].post(url, {**body, "image": fake}).status_code == 422
    future = {**body, "transferred_on": "2099-01-01", "image": photo()}
    assert setup["resident"].post(url, future).status_code == 422
    huge = setup["resident"].post(url, {**body, "amount": "1000000001", "image": photo()})
    assert huge.status_code == 422  # the same bound as a payment booked by hand
    assert huge.json()["error"]["details"]["amount"] == [
        "Jumlah ini terlalu besar untuk satu pembayaran."
    ]

    waiting = setup["manager"].get("/c/alpha/api/v1/admin/transfer-proofs?status=pending")
    assert [p["id"] for p in waiting.json()["data"]] == [proof["id"]]
    review = f"/c/alpha/api/v1/admin/transfer-proofs/{proof['id']}/review"
    approved = setup["manager"].post(review, {"approve": True}, "application/json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["data"]["receipt_number"].startswith("KWT/")
    with tenant_context(tenant_a):
        assert Invoice.objects.get(unit_id=a01).status == "paid"
        payment = Payment.objects.get()
        assert payment.method == "bank_transfer"
        assert payment.proof.name.startswith("alpha/transferproof/")  # the complex's own folder
    again = setup["manager"].post(review, {"approve": False, "reason": "x"}, "application/json")
    assert again.status_code == 422  # reviewed once only
    mine = setup["resident"].get(url).json()["data"]
    assert mine[0]["status"] == "approved"


def test_a_rejection_needs_a_reason_and_books_nothing(setup, tenant_a) -> None:
    a01 = setup["units"][0].pk
    setup["resident"].post(
        "/c/alpha/api/v1/payments/transfer-proofs",
        {"unit": a01, "amount": "100000", "transferred_on": "2026-11-05", "image": photo()},
    )
    with tenant_context(tenant_a):
        proof = TransferProof.objects.get()
    review = f"/c/alpha/api/v1/admin/transfer-proofs/{proof.pk}/review"
    assert setup["manager"].post(review, {"approve": False}, "application/json").status_code == 422
    rejected = setup["manager"].post(
        review, {"approve": False, "reason": "Nominal tidak sesuai mutasi"}, "application/json"
    )
    assert rejected.json()["data"]["status"] == "rejected"
    with tenant_context(tenant_a):
        assert not Payment.objects.exists()
        assert Invoice.objects.get(unit_id=a01).status == "pending"


def test_a_manager_records_cash_with_a_photo_of_the_slip(setup, tenant_a) -> None:
    a01 = setup["units"][0].pk
    response = setup["manager"].post(
        "/c/alpha/api/v1/admin/payments",
        {"unit": a01, "amount": "250000", "method": "cash", "proof": photo("kwitansi.png")},
    )
    assert response.status_code == 201, response.content
    with tenant_context(tenant_a):
        assert Payment.objects.get().proof.name.endswith(".png")
        assert Invoice.objects.get(unit_id=a01).status == "paid"


def test_managers_reverse_payments_and_refund_credit_through_the_api(setup, tenant_a) -> None:
    a01 = setup["units"][0].pk
    manager = setup["manager"]
    paid = manager.post(
        "/c/alpha/api/v1/admin/payments",
        {"unit": a01, "amount": "300000", "method": "bank_transfer"},
        "application/json",
    ).json()["data"]
    refund = {"unit": a01, "amount": "50000", "method": "cash", "reason": "Lebih bayar"}
    assert (
        manager.post("/c/alpha/api/v1/admin/refunds", refund, "application/json").status_code == 201
    )
    too_much = {**refund, "amount": "1"}
    assert (
        manager.post("/c/alpha/api/v1/admin/refunds", too_much, "application/json").status_code
        == 422
    )
    reverse = f"/c/alpha/api/v1/admin/payments/{paid['id']}/reverse"
    refused = manager.post(reverse, {"reason": "Salah unit"}, "application/json")
    assert refused.status_code == 422  # its credit was refunded already
    assert refused.json()["error"]["details"]["codes"] == {"detail": ["payment_partly_refunded"]}
    assert setup["resident"].post(reverse, {"reason": "x"}, "application/json").status_code == 403
    with tenant_context(tenant_a):
        assert Invoice.objects.get(unit_id=a01).status == "paid"
