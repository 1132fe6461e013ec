"""The daily billing work: the scheduled run, reminders before and after the due date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from klustera.billing.models import BillingSettings, Invoice, Tariff
from klustera.billing.services import generate_invoices, record_payment, run_daily, scheduled_period
from klustera.notifications.models import Message
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

DEC = date(2026, 12, 1)


@pytest.fixture
def complex_a(tenant_a):
    seed_complex(tenant_a, marker="alpha")  # A-01 has a billing contact with an account
    with tenant_context(tenant_a):
        Tariff.objects.create(charge="IPL", rate=Decimal("200000"), effective_from=DEC)
        BillingSettings.objects.create(
            pk=1, due_day=10, run_day=25, remind_days_before=3, remind_days_after=2
        )
        yield tenant_a


def _sent(template: str) -> list[str]:
    """Who was sent ``template`` (on any channel)."""
    return sorted(set(Message.objects.filter(template=template).values_list("to_name", flat=True)))


@pytest.mark.parametrize(
    ("today", "run_day", "expected"),
    [
        (date(2026, 11, 24), 25, None),  # before the run day
        (date(2026, 11, 25), 25, DEC),  # past this month's due day: next month
        (date(2026, 11, 30), 25, DEC),  # a missed run day is caught up
        (date(2026, 12, 1), 1, DEC),  # the due day is ahead: this month
        (date(2026, 12, 1), None, None),  # no schedule
    ],
)
def test_which_month_the_schedule_bills(complex_a, today, run_day, expected) -> None:
    config = BillingSettings.current()
    config.run_day = run_day
    assert scheduled_period(today=today, config=config) == expected


def test_the_run_day_bills_next_month_once_and_tells_the_billing_contact(
    complex_a, committed
) -> None:
    assert run_daily(today=date(2026, 11, 24))["run"] is None
    assert committed(complex_a, lambda: run_daily(today=date(2026, 11, 25)))["run"] == 2
    assert Invoice.objects.filter(period=DEC).count() == 2
    # After commit, one unit's billing contact hears of their invoice; A-02 has nobody to tell.
    assert _sent("invoice_issued") == ["Resident alpha"]
    # The next day nothing is billed again, even after a cancellation.
    Invoice.objects.filter(unit__number="02").update(status="cancelled")
    assert run_daily(today=date(2026, 11, 26))["run"] is None
    assert Invoice.objects.exclude(status="cancelled").count() == 1


def test_reminders_go_before_and_after_the_due_date_for_open_invoices_only(complex_a) -> None:
    generate_invoices(period=DEC)  # due 10 Dec
    assert run_daily(today=date(2026, 12, 6))["before"] == 0
    assert run_daily(today=date(2026, 12, 7))["before"] == 1
    assert _sent("payment_reminder") == ["Resident alpha"]
    assert run_daily(today=date(2026, 12, 12))["after"] == 1
    assert _sent("payment_overdue") == ["Resident alpha"]
    message = Message.objects.get(template="payment_overdue", channel="whatsapp")
    assert message.context["amount"] == "Rp 200.000"
    # Paid: no more reminders.
    invoice = Invoice.objects.get(unit__number="01")
    record_payment(unit=invoice.unit, amount=Decimal("200000"), method="cash")
    BillingSettings.objects.update(remind_days_after=3)
    assert run_daily(today=date(2026, 12, 13))["after"] == 0
