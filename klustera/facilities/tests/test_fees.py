"""A booking's money goes through billing's ledger: its own invoice, paid by checkout or by
credit, released to credit on a decline, a timely cancellation or a returned deposit, and a
payment after the hold ended kept as credit with nobody's booking brought back."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from klustera.billing.models import Invoice, OneOffCharge, Payment
from klustera.billing.services import record_payment, unit_credit
from klustera.errors import StateConflict
from klustera.facilities.models import Booking, Closure
from klustera.facilities.services import (
    cancel_booking,
    close_booking,
    close_facility,
    decide_booking,
    expire_holds,
    remind_bookings,
)
from klustera.facilities.tests.test_booking import (
    NOW,
    _book,
    assert_ledger_balances,
    at,
    make_facility,
)
from klustera.notifications.models import Message
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

FEE, DEPOSIT = Decimal(300_000), Decimal(200_000)


def clubhouse(**rules: Any):
    return make_facility(
        name="Clubhouse",
        fee_kind="per_booking",
        fee=FEE,
        deposit=DEPOSIT,
        **rules,
    )


@pytest.fixture
def complex_(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha")
    return {
        "data": data,
        "tenant": tenant_a,
        "unit": data.units[0],
        "user": data.resident_user,
        "manager": data.manager,
    }


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def _pay(booking: Booking, amount: Decimal | None = None) -> Payment:
    assert booking.invoice is not None
    return record_payment(
        unit=booking.unit,
        amount=amount or booking.invoice.total,
        method="qris",
        for_invoice=booking.invoice,
    )


def test_a_fee_is_its_own_invoice_and_paying_it_confirms_the_booking(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        facility = clubhouse()
        booking = _book(complex_, facility, at(9, 10), at(9, 11))
        invoice = booking.invoice
        assert (booking.status, invoice.kind, invoice.total) == (
            "pending_payment",
            "charge",
            FEE + DEPOSIT,
        )
        assert invoice.number.startswith("INV/2026/12/")  # numbered as invoices are
        assert [line.amount for line in invoice.lines.all()] == [FEE, DEPOSIT]
        _pay(booking)
        booking.refresh_from_db()
        assert (booking.status, booking.hold_until) == ("confirmed", None)
        assert Message.objects.filter(template="booking_confirmed").exists()
        assert_ledger_balances(booking.unit)


def test_money_paid_for_a_booking_pays_the_booking_before_older_bills(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        unit = complex_["unit"]
        old = Invoice.objects.create(
            unit=unit,
            period=date(2026, 10, 1),
            number="INV/2026/10/000001",
            due_on=date(2026, 10, 10),
            subtotal=FEE,
            total=FEE,
            status="overdue",
        )
        booking = _book(complex_, clubhouse(), at(9, 10), at(9, 11))
        _pay(booking)
        booking.refresh_from_db()
        old.refresh_from_db()
        assert (booking.status, old.status) == ("confirmed", "overdue")
        # Money without a purpose pays the oldest bill, as ever.
        record_payment(unit=unit, amount=FEE, method="cash")
        old.refresh_from_db()
        assert old.status == "paid"
        assert_ledger_balances(unit)


def test_the_units_credit_pays_a_booking_at_once(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        record_payment(unit=complex_["unit"], amount=Decimal(1_000_000), method="cash")
        booking = _book(complex_, clubhouse(), at(9, 10), at(9, 11))
        assert booking.status == "confirmed" and booking.invoice.status == "paid"
        assert unit_credit(complex_["unit"]) == Decimal(500_000)
        assert_ledger_balances(complex_["unit"])


def test_a_payment_after_the_hold_is_credit_and_both_sides_are_told(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        booking = _book(complex_, clubhouse(), at(9, 10), at(9, 11))
        invoice = booking.invoice
        with time_machine.travel(NOW + timedelta(minutes=45), tick=False):
            assert expire_holds() == 1
            _pay(booking, invoice.total)
        booking.refresh_from_db()
        invoice.refresh_from_db()
        assert booking.status == "expired"  # never brought back
        assert invoice.status == "cancelled"
        assert unit_credit(booking.unit) == FEE + DEPOSIT  # nothing lost
        told = Message.objects.filter(template="booking_paid_late", channel="whatsapp")
        assert {m.to_name for m in told} == {"Resident alpha", "Manager alpha"}
        assert_ledger_balances(booking.unit)


def test_a_payment_racing_the_clock_is_credit_too(complex_, at_now) -> None:
    """The hold lapsed but the clock has not run yet: the invoice is still open when the
    money comes, and the booking still stays expired."""
    with tenant_context(complex_["tenant"]):
        facility = clubhouse()
        first = _book(complex_, facility, at(9, 10), at(9, 11))
        later = NOW + timedelta(minutes=40)
        neighbour = {"unit": complex_["data"].units[1], "actor": complex_["manager"]}
        _book(complex_, facility, at(9, 12), at(9, 13), now=later, **neighbour)  # expires it
        first.refresh_from_db()
        assert (first.status, first.invoice.status) == ("expired", "pending")
        _pay(first)
        first.refresh_from_db()
        assert (first.status, first.invoice.status) == ("expired", "cancelled")
        told = Message.objects.filter(template="booking_paid_late")
        pairs = {(m.recipient_id, m.channel) for m in told}
        assert told.count() == len(pairs) > 0  # each person once a channel, not twice
        assert unit_credit(first.unit) == FEE + DEPOSIT
        assert_ledger_balances(first.unit)


def test_approval_after_payment_and_a_decline_refunds_to_credit(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        facility = clubhouse(needs_approval=True)
        one = _book(complex_, facility, at(9, 10), at(9, 11))
        _pay(one)
        one.refresh_from_db()
        assert one.status == "pending_approval"
        assert Message.objects.filter(template="booking_needs_approval").exists()
        with pytest.raises(Exception) as refused:
            decide_booking(booking=one, actor=complex_["manager"], approve=False)
        assert refused.value.error_dict["reason"][0].code == "reason_required"
        declined = decide_booking(
            booking=one, actor=complex_["manager"], approve=False, reason="Renovasi lantai"
        )
        assert declined.status == "declined" and declined.invoice.status == "cancelled"
        assert unit_credit(one.unit) == FEE + DEPOSIT
        assert Message.objects.filter(template="booking_declined").exists()
        two = _book(complex_, facility, at(10, 10), at(10, 11))  # the credit pays it
        assert two.status == "pending_approval"
        approved = decide_booking(booking=two, actor=complex_["manager"], approve=True)
        assert approved.status == "confirmed"
        with pytest.raises(StateConflict):
            decide_booking(booking=two, actor=complex_["manager"], approve=True)
        assert_ledger_balances(one.unit)


def test_a_free_booking_that_needs_approval_waits_without_an_invoice(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        hall = make_facility(name="Aula", needs_approval=True)
        booking = _book(complex_, hall, at(9, 10), at(9, 11))
        assert (booking.status, booking.invoice, booking.hold_until) == (
            "pending_approval",
            None,
            None,
        )


def test_cancelling_in_time_refunds_and_late_costs_what_the_policy_says(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        facility = clubhouse(
            free_cancel_hours=48, late_cancel_fee=Decimal(100_000), late_cancel_keeps_deposit=True
        )
        early = _book(complex_, facility, at(12, 10), at(12, 11))
        _pay(early)
        cancel_booking(booking=early, actor=complex_["user"])
        assert unit_credit(early.unit) == FEE + DEPOSIT  # five days ahead: all back
        late = _book(complex_, facility, at(8, 10), at(8, 11))  # paid by the credit
        assert late.status == "confirmed"
        cancel_booking(booking=late, actor=complex_["user"])
        fee = Invoice.objects.filter(kind="charge").latest("pk")
        assert fee.total == Decimal(100_000) + DEPOSIT and fee.status == "paid"
        assert unit_credit(late.unit) == FEE - Decimal(100_000)
        assert_ledger_balances(late.unit)


def test_a_manager_cancels_free_of_fees_and_the_resident_hears(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        facility = clubhouse(free_cancel_hours=48, late_cancel_fee=Decimal(100_000))
        booking = _book(complex_, facility, at(8, 10), at(8, 11))
        _pay(booking)
        cancel_booking(booking=booking, actor=complex_["manager"], reason="Pipa bocor")
        assert unit_credit(booking.unit) == FEE + DEPOSIT
        notice = Message.objects.get(template="booking_cancelled", channel="whatsapp")
        assert notice.context["reason"] == "Pipa bocor"


def test_closing_returns_the_deposit_unless_kept_with_a_reason(complex_) -> None:
    with tenant_context(complex_["tenant"]):
        facility = clubhouse()
        with time_machine.travel(NOW, tick=False):
            first = _book(complex_, facility, at(8, 10), at(8, 11))
            second = _book(complex_, facility, at(8, 12), at(8, 13))
            _pay(first)
            _pay(second)
            with pytest.raises(StateConflict):  # not started yet
                close_booking(booking=first, actor=complex_["manager"])
        with time_machine.travel(at(8, 14), tick=False):
            closed = close_booking(booking=first, actor=complex_["manager"])
            assert closed.status == "closed"
            assert closed.invoice.total == FEE and closed.invoice.status == "paid"
            assert unit_credit(first.unit) == DEPOSIT
            with pytest.raises(Exception, match="reason"):
                close_booking(booking=second, actor=complex_["manager"], keep_deposit=True)
            close_booking(
                booking=second, actor=complex_["manager"], keep_deposit=True, reason="Kursi patah"
            )
            assert unit_credit(first.unit) == DEPOSIT  # the second deposit stays paid
        assert_ledger_balances(first.unit)


def test_a_fee_billed_with_the_ipl_joins_the_next_monthly_invoice(complex_) -> None:
    with tenant_context(complex_["tenant"]):
        court = make_facility(
            name="Tenis",
            mode="ranges",
            fee_kind="per_hour",
            fee=Decimal(50_000),
            bill_with_ipl=True,
        )
        with time_machine.travel(NOW, tick=False):
            booking = _book(complex_, court, at(8, 10), at(8, 12))
            assert (booking.status, booking.invoice, booking.fee) == (
                "confirmed",
                None,
                Decimal(100_000),
            )
        with time_machine.travel(at(8, 13), tick=False):
            close_booking(booking=booking, actor=None, no_show=True)
        charge = OneOffCharge.objects.get()
        assert (charge.amount, charge.period) == (Decimal(100_000), date(2026, 12, 1))


def test_a_closure_cancels_what_it_covers_with_a_notice_and_a_refund(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        facility = clubhouse()
        hit = _book(complex_, facility, at(9, 10), at(9, 11))
        _pay(hit)
        spared = _book(complex_, facility, at(10, 10), at(10, 11))
        closure, cancelled = close_facility(
            facility=facility,
            start=at(9, 0),
            end=at(10, 0),
            reason="Pengecatan",
            actor=complex_["manager"],
        )
        hit.refresh_from_db()
        spared.refresh_from_db()
        # The refund is the unit's credit, and the credit pays the unit's other booking.
        assert (cancelled, hit.status, spared.status) == (1, "cancelled", "confirmed")
        assert Closure.objects.get() == closure
        assert unit_credit(hit.unit) == 0
        assert Message.objects.filter(template="booking_cancelled").count() >= 1


def test_residents_are_reminded_once_a_day_ahead(complex_, at_now) -> None:
    with tenant_context(complex_["tenant"]):
        court = make_facility(name="Tenis")
        soon = _book(complex_, court, at(7, 20), at(7, 21))
        _book(complex_, court, at(10, 20), at(10, 21))  # days away: not yet
        assert remind_bookings() == 1
        assert remind_bookings() == 0
        soon.refresh_from_db()
        assert soon.reminded_at == NOW
        assert Message.objects.filter(template="booking_reminder").count() >= 1
