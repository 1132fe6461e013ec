"""Payments settle a unit's invoices oldest first; what is left is credit for the next one."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klustera.billing.models import (
    Allocation,
    BillingSettings,
    Invoice,
    OneOffCharge,
    Payment,
    Refund,
    Reversal,
    Tariff,
)
from klustera.billing.selectors import statement
from klustera.billing.services import (
    Charge,
    bill_unit,
    generate_invoices,
    issue_charge,
    record_payment,
    refund_credit,
    release_invoice,
    reverse_payment,
    unit_credit,
    update_invoice,
)
from klustera.estate.models import Unit
from klustera.tenancy.context import tenant_context

WIB = ZoneInfo("Asia/Jakarta")
OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


@pytest.fixture
def unit(tenant_a):
    with tenant_context(tenant_a):
        Tariff.objects.create(charge="IPL", rate=Decimal("300000"), effective_from=OCT)
        yield Unit.objects.create(block="C", number="07")


def test_an_overpayment_carries_forward_to_the_next_invoice(unit) -> None:
    generate_invoices(period=OCT)
    payment = record_payment(unit=unit, amount=Decimal("500000"), method="bank_transfer")
    october = Invoice.objects.get(unit=unit, period=OCT)
    assert (october.status, october.amount_paid) == ("paid", Decimal("300000"))
    assert october.paid_at == payment.paid_at
    assert unit_credit(unit) == Decimal("200000")

    generate_invoices(period=NOV)
    november = Invoice.objects.get(unit=unit, period=NOV)
    assert (november.status, november.amount_paid) == ("partially_paid", Decimal("200000"))
    assert november.balance_due == Decimal("100000")
    assert unit_credit(unit) == 0
    # The credit is the same payment, split over two invoices.
    assert list(
        Allocation.objects.filter(payment=payment).values_list("invoice__period", "amount")
    ) == [(OCT, Decimal("300000")), (NOV, Decimal("200000"))]


def test_a_payment_pays_the_oldest_invoices_first(unit) -> None:
    generate_invoices(period=OCT)
    generate_invoices(period=NOV)
    record_payment(unit=unit, amount=Decimal("450000"), method="cash")
    statuses = dict(Invoice.objects.filter(unit=unit).values_list("period", "status"))
    assert statuses == {OCT: "paid", NOV: "partially_paid"}
    record_payment(unit=unit, amount=Decimal("150000"), method="cash")
    assert Invoice.objects.get(unit=unit, period=NOV).status == "paid"
    assert unit_credit(unit) == 0


def test_receipts_are_numbered_without_gaps(unit) -> None:
    first = record_payment(unit=unit, amount=Decimal("1000"), method="cash")
    with pytest.raises(ValidationError):
        record_payment(unit=unit, amount=Decimal("-5"), method="cash")
    second = record_payment(unit=unit, amount=Decimal("1000"), method="qris")
    assert first.receipt_number.endswith("/000001")
    assert second.receipt_number.endswith("/000002")


@pytest.mark.parametrize(
    ("amount", "method"),
    [("0", "cash"), ("-100", "cash"), ("1500.50", "cash"), ("2000000000", "cash"), ("5", "gold")],
)
def test_bad_payments_are_refused_and_leave_the_books_untouched(unit, amount, method) -> None:
    generate_invoices(period=OCT)
    with pytest.raises(ValidationError):
        record_payment(unit=unit, amount=Decimal(amount), method=method)
    assert not Payment.objects.exists()
    assert Invoice.objects.get(unit=unit).status == "pending"


def test_one_off_charges_join_the_months_invoice_and_a_billed_month_is_refused(
    unit, tenant_a
) -> None:
    from klustera.accounts.models import User
    from klustera.billing.services import add_one_off_charges

    manager = User.objects.first()
    assert manager is not None
    add_one_off_charges(
        units=[unit], period=OCT, description="Kartu akses", amount=Decimal("75000"), actor=manager
    )
    generate_invoices(period=OCT)
    october = Invoice.objects.get(unit=unit, period=OCT)
    assert october.total == Decimal("375000")
    assert [line.description for line in october.lines.all()] == ["IPL", "Kartu akses"]
    with pytest.raises(ValidationError, match="C-07"):
        add_one_off_charges(
            units=[unit], period=OCT, description="Again", amount=Decimal("1"), actor=manager
        )
    # Cancelling frees the charge: billing the month again bills it again, with a new number.
    update_invoice(invoice=october, actor=manager, cancel_reason="Wrong tariff")
    again = bill_unit(unit=unit, period=OCT, actor=manager)
    assert again.total == Decimal("375000") and again.number != october.number
    assert OneOffCharge.objects.get().invoice == again


def test_the_statement_runs_a_balance_from_invoices_fees_and_payments(unit, clock) -> None:
    clock.now = datetime(2026, 10, 1, 8, tzinfo=WIB)
    generate_invoices(period=OCT)
    clock.now = datetime(2026, 10, 20, 9, tzinfo=WIB)
    config = BillingSettings.current()
    config.late_fee, config.late_fee_value = "flat", Decimal("25000")
    config.save()
    from klustera.billing.services import charge_late_fees

    charge_late_fees(today=date(2026, 10, 20))
    clock.now = datetime(2026, 10, 25, 10, tzinfo=WIB)
    record_payment(unit=unit, amount=Decimal("400000"), method="cash")
    clock.now = datetime(2026, 11, 1, 8, tzinfo=WIB)
    generate_invoices(period=NOV)

    full = statement(unit)
    assert [(e.kind, e.debit, e.credit, e.balance) for e in full.entries] == [
        ("invoice", Decimal("300000"), 0, Decimal("300000")),
        ("late_fee", Decimal("25000"), 0, Decimal("325000")),
        ("payment", 0, Decimal("400000"), Decimal("-75000")),
        ("invoice", Decimal("300000"), 0, Decimal("225000")),
    ]
    november = statement(unit, start=date(2026, 11, 1))
    assert november.opening_balance == Decimal("-75000")  # credit brought forward
    assert [e.kind for e in november.entries] == ["invoice"]
    assert november.closing_balance == Invoice.objects.get(period=NOV).balance_due


# --- The books balance, whatever happens --------------------------------------------

steps = st.lists(
    st.one_of(
        st.tuples(st.just("charge"), st.integers(0, 2), st.integers(1, 2_000_000)),
        st.tuples(st.just("pay"), st.integers(0, 2), st.integers(1, 3_000_000)),
        st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 5)),
        st.tuples(st.just("reverse"), st.integers(0, 2), st.integers(0, 5)),
        st.tuples(st.just("refund"), st.integers(0, 2), st.integers(1, 1_000_000)),
    ),
    max_size=16,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_invoice_totals_minus_payments_equal_the_unit_balances(tenant_a, steps) -> None:
    """For any charges, payments, cancellations, reversals and refunds:

    Σ invoices − Σ payments + Σ reversed payments + Σ refunds = Σ unit balances.
    """
    from klustera.accounts.models import User
    from klustera.billing.services import add_one_off_charges

    with tenant_context(tenant_a):
        Reversal.objects.all().delete()
        Refund.objects.all().delete()
        Allocation.objects.all().delete()
        Payment.objects.all().delete()
        OneOffCharge.objects.all().delete()
        Invoice.objects.all().delete()
        Unit.objects.all().delete()
        manager = User.objects.first()
        assert manager is not None
        units = [Unit.objects.create(number=f"P{n}") for n in range(3)]
        month = [date(2025, m, 1) for m in range(1, 13)]
        billed = [0, 0, 0]
        for action, which, value in steps:
            unit = units[which]
            if action == "charge" and billed[which] < 12:
                period = month[billed[which]]
                billed[which] += 1
                add_one_off_charges(
                    units=[unit],
                    period=period,
                    description="x",
                    amount=Decimal(value),
                    actor=manager,
                )
                bill_unit(unit=unit, period=period, actor=manager)
            elif action == "pay":
                record_payment(unit=unit, amount=Decimal(value), method="cash")
            elif action == "cancel":
                open_ones = list(Invoice.objects.filter(unit=unit, status="pending"))
                if open_ones:
                    victim = open_ones[value % len(open_ones)]
                    update_invoice(invoice=victim, actor=manager, cancel_reason="test")
            elif action == "reverse":
                payments = list(Payment.objects.filter(unit=unit, reversal__isnull=True))
                # Refused (and nothing changes) when part of it was refunded already.
                with contextlib.suppress(ValidationError):
                    if payments:
                        reverse_payment(
                            payment=payments[value % len(payments)], reason="test", actor=manager
                        )
            elif action == "refund":
                amount = min(Decimal(value), unit_credit(unit))
                if amount:
                    refund_credit(
                        unit=unit, amount=amount, method="cash", reason="test", actor=manager
                    )

        invoiced = Invoice.objects.exclude(status="cancelled").aggregate(t=Sum("total"))["t"] or 0
        paid = Payment.objects.aggregate(t=Sum("amount"))["t"] or 0
        reversed_ = Payment.objects.filter(reversal__isnull=False).aggregate(t=Sum("amount"))["t"]
        refunded = Refund.objects.aggregate(t=Sum("amount"))["t"] or 0
        balances = Decimal(0)
        for unit in units:
            due = sum((i.balance_due for i in Invoice.objects.filter(unit=unit)), Decimal(0))
            credit = unit_credit(unit)
            assert not (credit and due), "credit must pay open invoices at once"
            assert statement(unit).closing_balance == due - credit
            balances += due - credit
        assert invoiced - paid + (reversed_ or 0) + refunded == balances
        for invoice in Invoice.objects.all():
            active = invoice.allocations.filter(reversed_at__isnull=True)
            allocated = active.aggregate(t=Sum("amount"))["t"] or 0
            assert invoice.amount_paid == allocated <= invoice.total


def test_a_reversal_reopens_what_the_payment_paid_and_leaves_it_on_record(unit) -> None:
    from klustera.accounts.models import User

    manager = User.objects.first()
    generate_invoices(period=OCT)
    bounced = record_payment(unit=unit, amount=Decimal("300000"), method="bank_transfer")
    assert Invoice.objects.get(period=OCT).status == "paid"
    reverse_payment(payment=bounced, reason="Transfer ditolak bank", actor=manager)
    october = Invoice.objects.get(period=OCT)
    assert (october.status, october.amount_paid, october.paid_at) == ("overdue", 0, None)
    assert Payment.objects.filter(pk=bounced.pk).exists()  # never deleted or edited
    entries = [(e.kind, e.balance) for e in statement(unit).entries]
    assert entries[-1] == ("reversal", Decimal("300000"))
    with pytest.raises(ValidationError):
        reverse_payment(payment=bounced, reason="again", actor=manager)
    with pytest.raises(ValidationError):
        reverse_payment(payment=bounced, reason=" ", actor=manager)


def test_credit_is_refunded_up_to_what_the_unit_holds(unit) -> None:
    from klustera.accounts.models import User

    manager = User.objects.first()
    generate_invoices(period=OCT)
    record_payment(unit=unit, amount=Decimal("400000"), method="cash")
    assert unit_credit(unit) == Decimal("100000")
    with pytest.raises(ValidationError):
        refund_credit(unit=unit, amount=Decimal("100001"), method="cash", reason="x", actor=manager)
    refund_credit(unit=unit, amount=Decimal("60000"), method="cash", reason="Pindah", actor=manager)
    assert unit_credit(unit) == Decimal("40000")
    generate_invoices(period=NOV)  # the rest of the credit goes to November
    assert Invoice.objects.get(period=NOV).amount_paid == Decimal("40000")
    assert statement(unit).closing_balance == Decimal("260000")


def test_a_charge_of_its_own_comes_in_a_billed_month_and_credit_pays_it(unit) -> None:
    """A booking's invoice is not a second monthly bill: the month stays billed once."""
    generate_invoices(period=OCT)
    record_payment(unit=unit, amount=Decimal("500000"), method="cash")  # 200,000 credit
    charge = issue_charge(
        unit=unit,
        charges=[Charge("Clubhouse, Sab 5 Des", Decimal(1), Decimal("150000"), False)],
        actor=None,
        due_on=DEC,
    )
    assert (charge.kind, charge.status, charge.amount_paid) == ("charge", "paid", Decimal(150000))
    assert charge.number.split("/")[0] == "INV"  # one numbering for every invoice
    assert unit_credit(unit) == Decimal("50000")
    with pytest.raises(ValidationError):
        bill_unit(unit=unit, period=OCT, actor=None)  # the month's bill exists already
    assert statement(unit).closing_balance == Decimal("-50000")  # in credit


def test_money_paid_for_one_invoice_pays_it_before_older_ones(unit) -> None:
    generate_invoices(period=OCT)
    charge = issue_charge(
        unit=unit,
        charges=[Charge("Kolam", Decimal(1), Decimal("100000"), False)],
        actor=None,
        due_on=DEC,
    )
    record_payment(unit=unit, amount=Decimal("100000"), method="qris", for_invoice=charge)
    october = Invoice.objects.get(unit=unit, period=OCT)
    charge.refresh_from_db()
    assert (charge.status, october.status) == ("paid", "pending")


def test_a_released_invoice_gives_its_money_back_and_the_payment_can_still_be_reversed(
    unit,
) -> None:
    charge = issue_charge(
        unit=unit,
        charges=[Charge("Clubhouse", Decimal(1), Decimal("400000"), False)],
        actor=None,
        due_on=DEC,
    )
    payment = record_payment(unit=unit, amount=Decimal("400000"), method="qris", for_invoice=charge)
    released = release_invoice(invoice=charge, reason="Ditolak", actor=None)
    assert (released.status, released.amount_paid) == ("cancelled", Decimal(0))
    assert unit_credit(unit) == Decimal("400000")
    assert release_invoice(invoice=charge, reason="again", actor=None).status == "cancelled"
    assert unit_credit(unit) == Decimal("400000")  # released once
    generate_invoices(period=OCT)  # the credit pays the next bill
    assert Invoice.objects.get(unit=unit, period=OCT).status == "paid"
    reverse_payment(payment=payment, reason="Dana ditarik bank", actor=None)
    assert Invoice.objects.get(unit=unit, period=OCT).status == "overdue"  # due in October
    live = Allocation.objects.filter(payment=payment, reversed_at__isnull=True)
    assert not live.exists()
