"""Overdue marking and late fees: arithmetic, the cap, the grace days, idempotency."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klustera.billing.models import BillingSettings, Invoice, Tariff
from klustera.billing.services import charge_late_fees, generate_invoices, late_fees_owed
from klustera.billing.tasks import daily_billing
from klustera.estate.models import Unit
from klustera.tenancy.context import tenant_context

NOV = date(2026, 11, 1)  # due 10 Nov 2026


@pytest.fixture
def billed(tenant_a):
    with tenant_context(tenant_a):
        Unit.objects.create(block="A", number="01")
        Unit.objects.create(block="A", number="02")
        Tariff.objects.create(charge="IPL", rate=Decimal("500000"), effective_from=date(2026, 1, 1))
        generate_invoices(period=NOV)
    return tenant_a


def _fees(tenant) -> tuple[str, Decimal, Decimal, int]:
    """Invoice A-01's status, total, late fees so far and how many fee lines."""
    with tenant_context(tenant):
        invoice = Invoice.objects.get(unit__number="01")
        fees = [line.amount for line in invoice.lines.all() if line.late_fee_number]
        return invoice.status, invoice.total, sum(fees, Decimal(0)), len(fees)


def test_nothing_happens_before_the_grace_days_end(billed) -> None:
    with tenant_context(billed):
        BillingSettings.objects.update_or_create(
            pk=1, defaults={"grace_days": 5, "late_fee": "flat", "late_fee_value": Decimal("25000")}
        )
        assert charge_late_fees(today=date(2026, 11, 15)) == {"overdue": 0, "fees": 0}
        assert charge_late_fees(today=date(2026, 11, 16)) == {"overdue": 2, "fees": 2}


def test_a_percentage_per_month_stops_at_the_cap_and_never_repeats(billed) -> None:
    with tenant_context(billed):
        BillingSettings.objects.update_or_create(
            pk=1,
            defaults={
                "late_fee": "percent",
                "late_fee_value": Decimal("2"),
                "late_fee_cap": Decimal("25000"),
            },
        )
        charge_late_fees(today=date(2026, 11, 11))  # first month late: 2% of 500.000 = 10.000
    assert _fees(billed) == ("overdue", Decimal(510000), Decimal(10000), 1)
    with tenant_context(billed):
        charge_late_fees(today=date(2026, 11, 11))  # the same day again: nothing new
    assert _fees(billed)[3] == 1
    with tenant_context(billed):
        charge_late_fees(today=date(2027, 3, 1))  # four months late: 10.000 + 10.000 + 5.000 (cap)
    assert _fees(billed) == ("overdue", Decimal(525000), Decimal(25000), 3)


def test_paid_and_cancelled_invoices_are_left_alone(billed) -> None:
    with tenant_context(billed):
        BillingSettings.objects.update_or_create(
            pk=1, defaults={"late_fee": "flat", "late_fee_value": Decimal("25000")}
        )
        Invoice.objects.filter(unit__number="01").update(status="paid")
        Invoice.objects.filter(unit__number="02").update(status="cancelled")
        assert charge_late_fees(today=date(2027, 1, 1)) == {"overdue": 0, "fees": 0}


def test_the_daily_job_reaches_every_complex(billed) -> None:
    with tenant_context(billed):
        BillingSettings.objects.update_or_create(
            pk=1, defaults={"late_fee": "flat", "late_fee_value": Decimal("25000")}
        )
    assert daily_billing.call_local() >= 1
    with tenant_context(billed):
        assert Invoice.objects.filter(status="overdue").count() == 2


@given(
    due=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    grace=st.integers(min_value=0, max_value=30),
    later=st.integers(min_value=0, max_value=800),
)
def test_fees_owed_start_after_grace_and_grow_by_one_a_month(
    due: date, grace: int, later: int
) -> None:
    start = due + timedelta(days=grace + 1)
    assert late_fees_owed(due_on=due, grace_days=grace, today=start - timedelta(days=1)) == 0
    assert late_fees_owed(due_on=due, grace_days=grace, today=start) == 1
    today = start + timedelta(days=later)
    owed = late_fees_owed(due_on=due, grace_days=grace, today=today)
    assert owed <= late_fees_owed(due_on=due, grace_days=grace, today=today + timedelta(days=1))
    assert 1 + later // 31 <= owed <= 1 + later // 28
