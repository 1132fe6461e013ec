"""Paying an invoice online, end to end: the real client, the simulator, the callbacks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from klustera.audit.models import AuditEntry
from klustera.billing.models import Invoice, Payment
from klustera.notifications.models import Message
from klustera.payments.models import CallbackEvent, PaymentAttempt
from klustera.payments.services import reconcile_pending
from klustera.tenancy.context import tenant_context
from tests.metrics import sample


def _pay(data: dict[str, Any], **body: Any) -> Any:
    return data["resident"].post(
        f"/c/alpha/api/v1/invoices/{data['invoice'].pk}/pay", body, content_type="application/json"
    )


def _state(tenant) -> tuple[str, Decimal, int]:
    with tenant_context(tenant):
        invoice = Invoice.objects.get(unit__number="01")
        return invoice.status, invoice.amount_paid, Payment.objects.count()


def test_a_resident_pays_by_checkout_and_the_invoice_turns_paid_once(
    billed, xsim, tenant_a, committed
) -> None:
    def callbacks() -> dict[str, float]:
        return {
            outcome: sample("klustera_xendit_callbacks_total", outcome=outcome)
            for outcome in ("accepted", "processed", "ignored", "rejected")
        }

    before = callbacks()
    first = _pay(billed)
    assert first.status_code == 201, first.content
    attempt = first.json()["data"]
    assert attempt["checkout_url"].startswith(xsim.public_url + "/checkout/ps-")
    # Paying again reuses the live checkout: one session at Xendit, never two charges.
    assert _pay(billed).json()["data"]["id"] == attempt["id"]
    assert len(xsim.sessions) == 1
    session_id = next(iter(xsim.sessions))
    assert xsim.sessions[session_id]["amount"] == 250000

    committed(tenant_a, lambda: xsim.pay(session_id, channel="BCA_VIRTUAL_ACCOUNT"))
    assert xsim.deliveries[0].status == 200
    assert _state(tenant_a) == ("paid", Decimal("250000"), 1)
    with tenant_context(tenant_a):
        payment = Payment.objects.get()
        assert (payment.method, payment.channel) == ("virtual_account", "BCA_VIRTUAL_ACCOUNT")
        assert payment.gateway_payment_id == xsim.sessions[session_id]["payment_id"]
        event = CallbackEvent.objects.get()
        assert event.body["event"] == "payment_session.completed"  # stored raw
        assert event.status == "processed"
        thanks = Message.objects.get(template="payment_received", channel="whatsapp")
        assert thanks.context["reference"] == payment.receipt_number
        assert payment.receipt_pdf.name.startswith("alpha/receipts/")  # rendered on the queue

    # The same callback again, then a late expiry: nothing changes.
    committed(tenant_a, lambda: xsim.resend(xsim.deliveries[0]))
    xsim.sessions[session_id]["status"] = "ACTIVE"
    committed(tenant_a, lambda: xsim.expire(session_id))
    assert _state(tenant_a) == ("paid", Decimal("250000"), 1)
    with tenant_context(tenant_a):
        assert PaymentAttempt.objects.get().status == "paid"
        assert CallbackEvent.objects.count() == 3
    # /metrics counts them: three accepted; one booked, the repeat and the late expiry not
    after = callbacks()
    assert {outcome: after[outcome] - before[outcome] for outcome in after} == {
        "accepted": 3,
        "processed": 3,
        "ignored": 0,
        "rejected": 0,
    }
    # Nothing left to pay.
    assert _pay(billed).status_code == 422


def test_a_callback_without_the_complexs_token_is_refused(billed, xsim, tenant_a) -> None:
    from django.test import Client

    url = "/c/alpha/api/v1/payments/xendit/callback"
    body = {"event": "payment_session.completed", "data": {"reference_id": "x"}}
    rejected = sample("klustera_xendit_callbacks_total", outcome="rejected")
    for headers in ({}, {"HTTP_X_CALLBACK_TOKEN": "wrong"}, {"HTTP_X_CALLBACK_TOKEN": ""}):
        response = Client().post(url, body, content_type="application/json", **headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    with tenant_context(tenant_a):
        assert not CallbackEvent.objects.exists()
    assert sample("klustera_xendit_callbacks_total", outcome="rejected") - rejected == 3


def test_a_different_amount_is_booked_but_flagged_for_review(
    billed, xsim, tenant_a, committed
) -> None:
    _pay(billed)
    session_id = next(iter(xsim.sessions))
    committed(tenant_a, lambda: xsim.pay(session_id, amount=200000))
    assert _state(tenant_a) == ("partially_paid", Decimal("200000"), 1)
    review = billed["manager"].get("/c/alpha/api/v1/admin/payment-attempts?needs_review=1")
    [flagged] = review.json()["data"]
    assert flagged["review_reason"] == "asked 250000, paid 200000"


def test_when_xendit_is_down_nothing_is_charged_and_a_retry_works(billed, xsim, tenant_a) -> None:
    xsim.fail_next = 20
    down = _pay(billed)
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "GATEWAY_UNAVAILABLE"
    assert not xsim.sessions
    xsim.fail_next = 1  # one 5xx: the client looks the session up, then creates it once
    again = _pay(billed)
    assert again.status_code == 201
    assert len(xsim.sessions) == 1
    with tenant_context(tenant_a):
        assert list(PaymentAttempt.objects.values_list("status", flat=True)) == [
            "pending",
            "failed",
        ]


def test_partial_amounts_only_where_the_complex_allows_them(billed, xsim, tenant_a) -> None:
    refused = _pay(billed, amount="100000")
    assert refused.status_code == 422 and "amount" in refused.json()["error"]["details"]
    allowed = billed["manager"].patch(
        "/c/alpha/api/v1/admin/payments/xendit",
        {"allow_partial": True, "channels": ["QRIS", "OVO"]},
        content_type="application/json",
    )
    assert allowed.status_code == 200
    settings = allowed.json()["data"]
    assert settings["secret_key_set"] and "secret_key" not in settings
    assert settings["callback_url"].endswith("/c/alpha/api/v1/payments/xendit/callback")
    assert _pay(billed, amount="100000").status_code == 201
    assert next(iter(xsim.sessions.values()))["allowed_payment_channels"] == ["QRIS", "OVO"]
    assert _pay(billed, amount="999999").status_code == 422


def test_a_callback_that_never_came_is_settled_by_reconciliation(billed, xsim, tenant_a) -> None:
    _pay(billed)
    session_id = next(iter(xsim.sessions))
    xsim.send = lambda url, headers, body: 500  # the app never hears of it
    xsim.pay(session_id, channel="QRIS")
    assert xsim.deliveries[0].attempts == 1 + len(xsim.retry_delays)  # retried, then given up
    assert _state(tenant_a)[0] == "pending"
    with tenant_context(tenant_a):
        from datetime import timedelta

        paid = sample("klustera_xendit_reconciliations_total", outcome="paid")
        assert reconcile_pending(older_than=timedelta(0)) == {
            "checked": 1,
            "paid": 1,
            "expired": 0,
        }
        assert sample("klustera_xendit_reconciliations_total", outcome="paid") - paid == 1
        assert reconcile_pending(older_than=timedelta(0))["checked"] == 0
    assert _state(tenant_a) == ("paid", Decimal("250000"), 1)


def test_a_qris_code_on_our_own_page_pays_the_invoice(billed, xsim, tenant_a, committed) -> None:
    response = _pay(billed, kind="qris")
    assert response.status_code == 201, response.content
    attempt = response.json()["data"]
    assert attempt["qr_string"].startswith("000201") and attempt["checkout_url"] == ""
    [request_id] = list(xsim.payment_requests)
    assert xsim.payment_requests[request_id]["channel_code"] == "QRIS"
    committed(tenant_a, lambda: xsim.simulate(request_id, 250000))
    assert _state(tenant_a) == ("paid", Decimal("250000"), 1)
    with tenant_context(tenant_a):
        assert Payment.objects.get().method == "qris"


def test_transfers_to_a_units_own_virtual_account_pay_its_oldest_bills(
    billed, xsim, tenant_a, committed
) -> None:
    from datetime import date

    from klustera.billing.services import generate_invoices

    with tenant_context(tenant_a):
        generate_invoices(period=date(2026, 12, 1))
    unit = billed["invoice"].unit_id
    url = f"/c/alpha/api/v1/units/{unit}/virtual-account"
    assert billed["resident"].get(url).status_code == 404  # none yet
    refused = billed["resident"].post(url, {"bank": "BCA_VIRTUAL_ACCOUNT"}, "application/json")
    assert refused.status_code == 403
    opened = billed["manager"].post(url, {"bank": "BCA_VIRTUAL_ACCOUNT"}, "application/json")
    assert opened.status_code == 201, opened.content
    number = opened.json()["data"]["number"]
    assert billed["resident"].get(url).json()["data"]["number"] == number
    with tenant_context(tenant_a):  # a financial action: in the audit trail
        assert AuditEntry.objects.filter(action="payments.virtual_account_opened").exists()
    [request_id] = list(xsim.payment_requests)
    assert xsim.payment_requests[request_id]["type"] == "REUSABLE_PAYMENT_CODE"

    # Two transfers whenever the resident likes: November first, then December.
    committed(tenant_a, lambda: xsim.simulate(request_id, 300000))
    committed(tenant_a, lambda: xsim.simulate(request_id, 200000))
    with tenant_context(tenant_a):
        statuses = dict(Invoice.objects.filter(unit_id=unit).values_list("period", "status"))
        assert statuses == {date(2026, 11, 1): "paid", date(2026, 12, 1): "paid"}
        assert Payment.objects.filter(method="virtual_account").count() == 2
    # The same callback twice books nothing more.
    committed(tenant_a, lambda: xsim.resend(xsim.deliveries[-1]))
    with tenant_context(tenant_a):
        assert Payment.objects.count() == 2


def test_managers_hear_each_morning_of_payments_to_review(
    billed, xsim, tenant_a, committed
) -> None:
    from klustera.payments.services import daily_review_report

    with tenant_context(tenant_a):
        assert daily_review_report() == {"mismatches": 0, "proofs": 0, "failed_callbacks": 0}
        assert not Message.objects.filter(template="payments_review").exists()
    _pay(billed)
    committed(tenant_a, lambda: xsim.pay(next(iter(xsim.sessions)), amount=1000))
    with tenant_context(tenant_a):
        assert daily_review_report()["mismatches"] == 1
        message = Message.objects.filter(template="payments_review").first()
        assert message is not None and message.to_name == "Manager alpha"
        assert message.context["mismatches"] == "1"


def test_the_simulators_hosted_page_pays_like_a_person_would(billed, xsim) -> None:
    import time

    import httpx

    checkout = _pay(billed).json()["data"]["checkout_url"]
    received: list[bytes] = []
    xsim.send = lambda url, headers, body: received.append(body) or 200
    page = httpx.get(checkout)
    assert page.status_code == 200 and "Rp 250,000" in page.text and "QRIS" in page.text
    answer = httpx.post(checkout, data={"action": "pay", "channel": "DANA"})
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"/invoices/{billed['invoice'].pk}/?paid=1")
    for _ in range(50):
        if received:
            break
        time.sleep(0.05)
    assert b'"payment_session.completed"' in received[0] and b'"DANA"' in received[0]
    # Once paid, the page's buttons do nothing more.
    httpx.post(checkout, data={"action": "expire"})
    assert next(iter(xsim.sessions.values()))["status"] == "COMPLETED"


def test_the_portals_pay_button_leads_to_the_checkout(billed, xsim, tenant_a) -> None:
    from django.test import Client

    browser = Client()
    browser.post("/c/alpha/login", {"username": "081300000002", "password": "x-pass-123"})
    page = f"/c/alpha/invoices/{billed['invoice'].pk}/"
    assert "Rp 250.000" in browser.get(page).content.decode()
    answer = browser.post(f"{page}pay")
    assert answer.status_code == 302 and answer["Location"].startswith(xsim.public_url)
    xsim.fail_next = 20
    with tenant_context(tenant_a):
        PaymentAttempt.objects.update(status="expired")
    down = browser.post(f"{page}pay", follow=True)
    assert down.redirect_chain[-1][0] == page
    assert "nothing was charged" in down.content.decode() or "tidak ada dana" in (
        down.content.decode()
    )
