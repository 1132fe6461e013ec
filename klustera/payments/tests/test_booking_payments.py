"""Paying a facility booking online: its invoice through the real client and the simulator,
within the booking's hold."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from klustera.accounts.models import User
from klustera.billing.models import Invoice
from klustera.estate.models import Unit
from klustera.facilities.services import book_facility
from klustera.facilities.tests.test_booking import make_facility
from klustera.tenancy.context import tenant_context

FEE, DEPOSIT = Decimal(300_000), Decimal(200_000)
WIB = ZoneInfo("Asia/Jakarta")


def test_a_resident_pays_a_booking_through_the_xendit_simulator(
    billed, xsim, tenant_a, committed
) -> None:
    """The real client against the simulator: the checkout ends with the hold, the callback
    confirms the booking."""
    with tenant_context(tenant_a):
        facility = make_facility(
            name="Clubhouse", fee_kind="per_booking", fee=FEE, deposit=DEPOSIT, lead_min_hours=0
        )
        tomorrow = datetime.combine(date.today() + timedelta(days=1), time(10), WIB)
        unit = Unit.objects.get(number="01")
        booking = book_facility(
            facility=facility,
            unit=unit,
            actor=User.objects.get(phone="+6281300000002"),
            start=tomorrow,
            end=tomorrow + timedelta(hours=1),
        )
    answer = billed["resident"].post(
        f"/c/alpha/api/v1/bookings/{booking.pk}/pay", {}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    session_id = next(iter(xsim.sessions))
    assert xsim.sessions[session_id]["amount"] == int(FEE + DEPOSIT)
    with tenant_context(tenant_a):
        attempt_ends = booking.invoice.attempts.get().expires_at
    assert attempt_ends == booking.hold_until  # the checkout ends with the hold
    committed(tenant_a, lambda: xsim.pay(session_id, channel="QRIS"))
    with tenant_context(tenant_a):
        booking.refresh_from_db()
        assert booking.status == "confirmed"
        # The overdue IPL invoice of the month is untouched: the money was for the booking.
        assert Invoice.objects.get(pk=billed["invoice"].pk).status == "pending"
    again = billed["resident"].post(
        f"/c/alpha/api/v1/bookings/{booking.pk}/pay", {}, content_type="application/json"
    )
    assert again.status_code == 422  # nothing left to pay
