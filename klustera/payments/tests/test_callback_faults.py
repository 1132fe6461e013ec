"""Callbacks in bad order, twice, at the same instant, or for what is not ours."""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klustera.accounts.models import User
from klustera.billing.models import Allocation, Invoice, Payment, Tariff
from klustera.billing.services import generate_invoices, unit_credit
from klustera.estate.models import Unit
from klustera.payments.models import CallbackEvent, PaymentAttempt
from klustera.payments.services import (
    process_callback,
    receive_callback,
    start_payment,
    update_xendit_account,
)
from klustera.payments.tests.conftest import SECRET, TOKEN
from klustera.tenancy.context import tenant_context


def _recorded(xsim) -> list[bytes]:
    """Let the simulator keep its callbacks for the test to deliver when it likes."""
    bodies: list[bytes] = []
    xsim.send = lambda url, headers, body: bodies.append(body) or 200
    return bodies


def _deliver(body: bytes) -> str:
    event = receive_callback(token=TOKEN, body=body)
    assert event is not None
    return process_callback(event)


def _callback(event: str, data: dict[str, Any]) -> bytes:
    return json.dumps({"event": event, "data": data}).encode()


def test_another_complexs_callback_books_nothing_here(billed, xsim, tenant_a, tenant_b) -> None:
    from klustera.payments.simulator import Account
    from tests.seed import seed_complex

    seed_complex(tenant_b, marker="beta")
    xsim.accounts.append(Account("xnd_development_beta", "cb-token-beta", "/c/beta/callback"))
    bodies = _recorded(xsim)
    with tenant_context(tenant_b):
        Tariff.objects.create(charge="IPL", rate=Decimal(1000), effective_from=date(2026, 1, 1))
        generate_invoices(period=date(2026, 11, 1))
        manager = User.objects.get(phone="+6281300000001")
        update_xendit_account(
            changes={"secret_key": "xnd_development_beta", "callback_token": "cb-token-beta"},
            actor=manager,
        )
        theirs = start_payment(invoice=Invoice.objects.first(), user=manager)
    xsim.pay(theirs.gateway_id)
    with tenant_context(tenant_a):
        # With beta's token it is not even stored here; with ours, its reference means nothing.
        assert receive_callback(token="cb-token-beta", body=bodies[0]) is None
        assert _deliver(bodies[0]) == "no attempt with this reference"
        assert CallbackEvent.objects.get().status == "ignored"
        assert not Payment.objects.exists()
    with tenant_context(tenant_b):
        assert not Payment.objects.exists()  # nor was anything booked at beta by it


def test_a_forged_completion_is_not_booked_without_xendits_word(billed, xsim, tenant_a) -> None:
    with tenant_context(tenant_a):
        attempt = start_payment(invoice=billed["invoice"], user=User.objects.first())
        forged = {
            "reference_id": attempt.reference_id,
            "payment_session_id": attempt.gateway_id,
            "payment_id": "py-forged",
            "amount": 250000,
        }
        # Even with the right token, Xendit says the session is still open: nothing is booked.
        outcome = _deliver(_callback("payment_session.completed", forged))
        assert outcome == "Xendit says ACTIVE"
        assert not Payment.objects.exists()
        assert Invoice.objects.get(pk=billed["invoice"].pk).status == "pending"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_order_and_any_duplicates_of_callbacks_book_each_payment_once(
    billed, xsim, tenant_a, data
) -> None:
    with tenant_context(tenant_a):
        CallbackEvent.objects.all().delete()
        Allocation.objects.all().delete()
        Payment.objects.all().delete()
        PaymentAttempt.objects.all().delete()
        Invoice.objects.update(status="pending", amount_paid=0, paid_at=None)
        user = User.objects.get(phone="+6281300000002")
        invoices = list(Invoice.objects.order_by("pk"))
        bodies = _recorded(xsim)
        attempts = [start_payment(invoice=invoice, user=user) for invoice in invoices]
        paid = data.draw(st.lists(st.booleans(), min_size=len(attempts), max_size=len(attempts)))
        for attempt, is_paid in zip(attempts, paid, strict=True):
            if is_paid:
                xsim.pay(attempt.gateway_id, channel="OVO")
            expiry = {"reference_id": attempt.reference_id, "status": "EXPIRED"}
            bodies.append(_callback("payment_session.expired", expiry))
        copies = data.draw(st.lists(st.sampled_from(bodies), max_size=6))
        for body in data.draw(st.permutations(bodies + copies)):
            _deliver(body)

        for attempt, is_paid in zip(attempts, paid, strict=True):
            attempt.refresh_from_db()
            booked = Payment.objects.filter(attempt=attempt).count()
            assert booked == (1 if is_paid else 0)
            assert attempt.status == ("paid" if is_paid else "expired")
            assert attempt.invoice.status == ("paid" if is_paid else "pending")
        units = Unit.objects.all()
        invoiced = Invoice.objects.aggregate(t=Sum("total"))["t"]
        received = Payment.objects.aggregate(t=Sum("amount"))["t"] or 0
        balances = sum(
            (
                sum((i.balance_due for i in Invoice.objects.filter(unit=u)), Decimal(0))
                - unit_credit(u)
                for u in units
            ),
            Decimal(0),
        )
        assert invoiced - received == balances


# --- Two deliveries of one callback at the same instant, on PostgreSQL -----------------


@pytest.fixture
def pg_billed(pg_scratch, xsim) -> tuple[Any, PaymentAttempt]:
    with tenant_context(pg_scratch):
        manager = User.objects.get()
        Unit.objects.create(block="M", number="1")
        Tariff.objects.create(charge="IPL", rate=Decimal(250000), effective_from=date(2026, 1, 1))
        generate_invoices(period=date(2026, 11, 1))
        update_xendit_account(
            changes={"secret_key": SECRET, "callback_token": TOKEN}, actor=manager
        )
        attempt = start_payment(invoice=Invoice.objects.get(), user=manager)
    return pg_scratch, attempt


def test_one_callback_delivered_twice_at_once_credits_once(pg_billed, xsim) -> None:
    tenant, attempt = pg_billed
    bodies = _recorded(xsim)
    xsim.pay(attempt.gateway_id)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            with tenant_context(tenant):
                start.wait()
                outcomes.append(_deliver(bodies[0]))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(o.split(" ")[0] for o in outcomes) == ["already", "booked"]
    with tenant_context(tenant):
        assert Payment.objects.count() == 1
        invoice = Invoice.objects.get()
        assert (invoice.status, invoice.amount_paid) == ("paid", Decimal(250000))
        assert CallbackEvent.objects.count() == 2  # both stored raw
