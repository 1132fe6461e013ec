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


def test_back_from_the_checkout_the_invoice_says_what_became_of_the_payment(
    portal, tenant_a
) -> None:
    from django.utils import timezone

    from klustera.payments.models import PaymentAttempt

    invoice, resident = portal["invoice"], portal["clients"]["resident"]
    outcome = f"/c/alpha/invoices/{invoice.pk}/payment-outcome"
    page = resident.get(f"/c/alpha/invoices/{invoice.pk}/?paid=0").content.decode()
    assert f'hx-get="{outcome}?returned=0"' in page
    with tenant_context(tenant_a):
        attempt = PaymentAttempt.objects.create(
            invoice=invoice,
            amount=invoice.total,
            status="pending",
            reference_id="ref-1",
            expires_at=timezone.now() + timezone.timedelta(hours=1),
        )
    waiting = resident.get(f"{outcome}?returned=0").content.decode()
    assert "kembali tanpa membayar" in waiting and 'hx-trigger="every 3s"' in waiting
    with tenant_context(tenant_a):  # a try failed (the checkout stays open for another)
        PaymentAttempt.objects.filter(pk=attempt.pk).update(last_failure="INSUFFICIENT_BALANCE")
    failed = resident.get(f"{outcome}?returned=0").content.decode()
    assert "tidak berhasil" in failed and "INSUFFICIENT_BALANCE" in failed
    assert "hx-trigger" not in failed  # said once; the polling stops
    with tenant_context(tenant_a):
        PaymentAttempt.objects.filter(pk=attempt.pk).update(status="expired")
    expired = resident.get(f"{outcome}?returned=1").content.decode()
    assert "kedaluwarsa" in expired and "hx-trigger" not in expired
    with tenant_context(tenant_a):
        PaymentAttempt.objects.filter(pk=attempt.pk).update(status="paid")
    paid = resident.get(outcome)
    assert paid.status_code == 204 and paid["HX-Redirect"] == f"/c/alpha/invoices/{invoice.pk}/"
    assert "Pembayaran diterima" in resident.get(paid["HX-Redirect"]).content.decode()
    assert portal["clients"]["guard"].get(outcome).status_code == 404


def test_a_manager_reverses_a_payment_and_refunds_credit_and_the_list_tells_them_apart(
    portal, tenant_a
) -> None:
    from django.utils import timezone

    from klustera.billing.models import Payment
    from klustera.billing.services import record_payment

    with tenant_context(tenant_a):
        online = record_payment(
            unit=portal["invoice"].unit,
            amount=Decimal("100000"),
            method=Payment.Method.VIRTUAL_ACCOUNT,
            channel="BCA_VIRTUAL_ACCOUNT",
            paid_at=timezone.now(),
        )
        extra = record_payment(
            unit=portal["invoice"].unit, amount=Decimal("300000"), method=Payment.Method.CASH
        )
    manager = portal["clients"]["manager"]
    listed = manager.get("/c/alpha/payments/").content.decode()
    assert "Virtual account · BCA" in listed and "BCA_VIRTUAL_ACCOUNT" not in listed
    reverse = f"/c/alpha/payments/{extra.pk}/reverse"
    assert portal["clients"]["resident"].post(reverse, {"reason": "x"}).status_code == 403
    no_reason = manager.post(reverse, {"reason": " "}, follow=True).content.decode()
    assert "notice error" in no_reason
    manager.post(reverse, {"reason": "Cek kosong"})
    listed = manager.get("/c/alpha/payments/").content.decode()
    assert "Dibatalkan" in listed and "Cek kosong" in listed and "<s>Rp 300.000</s>" in listed
    assert f"/c/alpha/payments/{online.pk}/reverse" in listed  # the other one still can be
    assert f"/c/alpha/payments/{extra.pk}/reverse" not in listed
    # 100.000 paid against 250.000 owed: no credit yet, so a refund is refused, and said so.
    refund = {"refund-unit": "A-01", "refund-amount": "50.000", "refund-method": "cash"}
    refused = manager.post("/c/alpha/manage/payments/refund", {**refund, "refund-reason": "Lebih"})
    assert "notice error" in manager.get(refused["Location"]).content.decode()
    with tenant_context(tenant_a):
        record_payment(
            unit=portal["invoice"].unit, amount=Decimal("200000"), method=Payment.Method.CASH
        )
    done = manager.post(
        "/c/alpha/manage/payments/refund", {**refund, "refund-reason": "Lebih bayar"}, follow=True
    )
    assert "Rp 50.000 dikembalikan ke A-01" in done.content.decode()


def test_a_resident_sees_where_to_pay_sends_a_transfer_proof_and_reads_the_statement(
    portal, tenant_a, settings, tmp_path
) -> None:
    from klustera.payments.models import TransferProof, UnitVirtualAccount
    from klustera.payments.tests.test_manual import photo

    settings.MEDIA_ROOT = tmp_path
    resident, unit = portal["clients"]["resident"], portal["units"][0]
    page = resident.get("/c/alpha/account/").content.decode()
    assert "Rp 250.000" in page and portal["invoice"].number in page  # balance and statement
    assert "Belum ada virtual account" in page
    with tenant_context(tenant_a):
        UnitVirtualAccount.objects.create(
            unit=unit,
            bank="BCA_VIRTUAL_ACCOUNT",
            number="38012345678",
            reference_id="va",
            payment_request_id="pr",
        )
    page = resident.get("/c/alpha/account/").content.decode()
    assert "38012345678" in page and "BCA" in page
    form = {"unit": unit.pk, "amount": "Rp 250.000", "transferred_on": "2026-11-30"}
    future = resident.post(
        "/c/alpha/account/", {**form, "transferred_on": "2099-01-01", "image": photo()}
    )
    assert 'class="error"' in future.content.decode()
    sent = resident.post("/c/alpha/account/", {**form, "image": photo()}, follow=True)
    assert "Bukti terkirim" in sent.content.decode()
    with tenant_context(tenant_a):
        proof = TransferProof.objects.get()
        assert (proof.amount, proof.submitted_by_id) == (
            Decimal("250000"),
            portal["resident_user"].pk,
        )
    other = portal["units"][1]
    stranger = resident.get(f"/c/alpha/account/?unit={other.pk}").content.decode()
    assert "A-02" not in stranger  # another unit's account is never shown: their own instead


def test_a_manager_connects_xendit_and_the_keys_are_never_shown_again(portal, tenant_a) -> None:
    from klustera.payments.services import xendit_account

    manager = portal["clients"]["manager"]
    page = manager.get("/c/alpha/manage/payments/xendit").content.decode()
    assert "Belum terhubung" in page and "/c/alpha/api/v1/payments/xendit/callback" in page
    form = {"secret_key": "xnd_development_abc", "callback_token": "tok", "channels": ["QRIS"]}
    assert manager.post("/c/alpha/manage/payments/xendit", form).status_code == 302
    page = manager.get("/c/alpha/manage/payments/xendit").content.decode()
    assert "xnd_development_abc" not in page and "Terhubung" in page
    manager.post("/c/alpha/manage/payments/xendit", {"channels": ["QRIS", "OVO"]})
    with tenant_context(tenant_a):
        account = xendit_account()
        assert account.secret_key and account.secret_key != "xnd_development_abc"  # encrypted
        assert account.channels == ["QRIS", "OVO"]  # the key left empty was kept
    bad = manager.post("/c/alpha/manage/payments/xendit", {"channels": ["BITCOIN"]})
    assert 'role="alert"' in bad.content.decode()


def test_a_manager_opens_a_units_virtual_account_from_its_account_page(
    portal, tenant_a, monkeypatch
) -> None:
    from klustera.payments import views
    from klustera.payments.models import UnitVirtualAccount

    opened = []

    def open_virtual_account(*, unit, bank, actor):  # Xendit itself: the services' own tests
        opened.append(bank)
        return UnitVirtualAccount.objects.create(
            unit=unit, bank=bank, number="3801999", reference_id="r", payment_request_id="p"
        )

    monkeypatch.setattr(views, "open_virtual_account", open_virtual_account)
    unit = portal["units"][0]
    manager = portal["clients"]["manager"]
    page = manager.get(f"/c/alpha/account/?unit={unit.pk}").content.decode()
    assert 'name="open_bank"' in page
    done = manager.post(
        "/c/alpha/account/", {"unit": unit.pk, "open_bank": "BCA_VIRTUAL_ACCOUNT"}, follow=True
    )
    assert "3801999" in done.content.decode() and opened == ["BCA_VIRTUAL_ACCOUNT"]
    resident = portal["clients"]["resident"]
    refused = resident.post(
        "/c/alpha/account/", {"unit": unit.pk, "open_bank": "BNI_VIRTUAL_ACCOUNT"}
    )
    assert refused.status_code == 403
    assert 'name="open_bank"' not in resident.get("/c/alpha/account/").content.decode()
