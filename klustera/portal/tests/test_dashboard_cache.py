"""The manager's dashboard figures are cached per complex, and a payment, a billing run or a
late fee shows on the very next view."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klustera.billing.models import BillingSettings
from klustera.billing.services import charge_late_fees, generate_invoices
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from tests.pages import pay_the_invoice

LIVE = "/c/alpha/dashboard/live"


@pytest.fixture
def dashboard(portal, tenant_a):
    manager = portal["clients"]["manager"]

    def view():
        with CaptureQueriesContext(connections[alias_for(tenant_a)]) as queries:
            answer = manager.get(LIVE)
        assert answer.status_code == 200
        return answer.context, [query["sql"] for query in queries.captured_queries]

    return view


def test_the_figures_are_cached_between_views(dashboard) -> None:
    first, computed = dashboard()
    again, cached = dashboard()
    assert again["months"] == first["months"]
    # no collection or overdue sums, no recent payments, no reach: the stamp and the gate
    assert any("GROUP BY" in sql for sql in computed)
    assert not any("GROUP BY" in sql or "paid_at" in sql for sql in cached)
    assert len(computed) - len(cached) >= 5


def test_a_payment_shows_on_the_next_view(dashboard, portal, tenant_a) -> None:
    before, _ = dashboard()
    assert before["this_month"].paid == 0 and before["payments"] == []
    pay_the_invoice(portal, tenant_a)
    after, _ = dashboard()
    assert after["this_month"].paid == Decimal("250000") and after["this_month"].rate == 50
    assert [payment.amount for payment in after["payments"]] == [Decimal("250000")]


def test_a_billing_run_shows_on_the_next_view(dashboard, tenant_a) -> None:
    before, _ = dashboard()
    assert before["months"][-2].billed == 0  # last month was never billed
    with tenant_context(tenant_a):
        last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
        generate_invoices(period=last_month)
    after, _ = dashboard()
    assert after["months"][-2].billed == Decimal("500000")  # two units, Rp 250.000 each


def test_a_late_fee_shows_on_the_next_view(dashboard, tenant_a) -> None:
    before, _ = dashboard()
    assert before["overdue"] == []
    with tenant_context(tenant_a):
        config = BillingSettings.current()
        config.late_fee, config.late_fee_value = BillingSettings.LateFee.FLAT, Decimal("25000")
        config.save()
        charge_late_fees(today=timezone.localdate() + timedelta(days=60))
    after, _ = dashboard()
    assert {row["unit"] for row in after["overdue"]} == {"A-01", "A-02"}
    assert after["this_month"].billed > before["this_month"].billed  # the fees are billed
