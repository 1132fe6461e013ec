"""Booking a facility: each rule refused with its code, in the complex's time zone; a held
booking that lapses; and, on PostgreSQL, twenty people booking one time at once."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klustera.accounts.models import User
from klustera.accounts.tests.factories import UserFactory
from klustera.billing.models import Allocation, Invoice, Payment, Refund
from klustera.billing.services import record_payment, unit_credit
from klustera.errors import StateConflict
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.facilities.models import HOLDING, Booking, Closure, Facility, OpeningHours
from klustera.facilities.rules import opening, price, slots, window_for
from klustera.facilities.services import (
    book_facility,
    cancel_booking,
    close_facility,
    expire_holds,
)
from klustera.roles import Role
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

WIB, WITA, WIT = (ZoneInfo(z) for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"))
EVERY_DAY = {day: (time(6), time(22)) for day in range(1, 8)}
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=WIB)  # a Monday morning


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = WIB) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


def make_facility(**rules: Any) -> Facility:
    hours = rules.pop("hours", EVERY_DAY)
    facility = Facility.objects.create(name=rules.pop("name", "Lapangan tenis"), **rules)
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=facility, weekday=day, opens=opens, closes=closes)
        for day, (opens, closes) in hours.items()
    )
    return facility


def assert_ledger_balances(unit: Unit) -> None:
    """Every Rupiah paid is on an invoice, refunded or the unit's credit; each invoice's
    paid amount is what its allocations in force say."""
    paid = Payment.objects.filter(unit=unit, reversal__isnull=True).aggregate(t=Sum("amount"))
    live = Allocation.objects.filter(payment__unit=unit, reversed_at__isnull=True)
    allocated = live.aggregate(t=Sum("amount"))["t"] or 0
    refunded = Refund.objects.filter(unit=unit).aggregate(t=Sum("amount"))["t"] or 0
    assert (paid["t"] or 0) == allocated + refunded + unit_credit(unit)
    for invoice in Invoice.objects.filter(unit=unit):
        on_it = live.filter(invoice=invoice).aggregate(t=Sum("amount"))["t"] or 0
        assert invoice.amount_paid == on_it, invoice.number


@pytest.fixture
def complex_(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha")
    return {"data": data, "tenant": tenant_a, "unit": data.units[0], "user": data.resident_user}


def _book(
    c: dict[str, Any], facility: Facility, start: datetime, end: datetime, **kw: Any
) -> Booking:
    return book_facility(
        facility=facility,
        unit=kw.pop("unit", c["unit"]),
        actor=kw.pop("actor", c["user"]),
        start=start,
        end=end,
        now=kw.pop("now", NOW),
        **kw,
    )


def _code(excinfo: Any) -> str:
    [(field, [error])] = [(field, errors) for field, errors in excinfo.value.error_dict.items()]
    return f"{field}:{error.code}"


def _conflict(exc: StateConflict) -> str:
    return str(exc.error_dict["start"][0].code)


def test_openings_past_midnight_slots_and_prices() -> None:
    late = {5: (time(18), time(2))}  # Friday evening to Saturday 02:00
    window = opening(late, at(11, 0).date(), WIB)
    assert window is not None and window.end == at(12, 2)
    assert window_for(late, at(12, 0), at(12, 1), WIB) == window  # across midnight
    assert window_for(late, at(12, 1), at(12, 3), WIB) is None  # past closing
    assert len(slots(window, 60)) == 8
    weekday = price(
        kind="per_hour",
        fee=Decimal(50_000),
        weekend_fee=Decimal(80_000),
        start=at(11, 18),
        end=at(11, 19, 30),
        zone=WIB,
    )
    weekend = price(
        kind="per_booking",
        fee=Decimal(50_000),
        weekend_fee=Decimal(80_000),
        start=at(12, 10),
        end=at(12, 11),
        zone=WIB,
    )
    assert (weekday, weekend) == (Decimal(75_000), Decimal(80_000))
    assert (
        price(
            kind="free",
            fee=Decimal(1),
            weekend_fee=None,
            start=at(12, 10),
            end=at(12, 11),
            zone=WIB,
        )
        == 0
    )


RANGES = {"mode": "ranges", "min_minutes": 60, "max_minutes": 120}
LATER = timedelta(days=40)
CASES = {  # rules, start, end, more of the booking, the field and code refused
    "end first": ({}, at(8, 10), at(8, 9), {}, "end:booking_ends_first"),
    "before opening": ({}, at(8, 5), at(8, 6), {}, "start:outside_hours"),
    "past closing": ({}, at(8, 21), at(8, 23), {}, "start:outside_hours"),
    "closed weekday": (
        {"hours": {1: (time(6), time(22))}},
        at(8, 10),
        at(8, 11),
        {},
        "start:outside_hours",
    ),
    "too soon": ({}, at(7, 9), at(7, 10), {}, "start:too_soon"),
    "too far": ({}, at(8, 10) + LATER, at(8, 11) + LATER, {}, "start:too_far_ahead"),
    "off the grid": ({}, at(8, 10, 30), at(8, 11, 30), {}, "start:not_a_slot"),
    "two slots": ({}, at(8, 10), at(8, 12), {}, "start:not_a_slot"),
    "too short": (RANGES, at(8, 10), at(8, 10, 30), {}, "end:wrong_length"),
    "too many": (
        {"capacity": 30},
        at(8, 10),
        at(8, 11),
        {"party_size": 31},
        "party_size:over_capacity",
    ),
    "not an owner": ({"eligibility": "owners"}, at(8, 10), at(8, 11), {}, "unit:owners_only"),
}


@pytest.mark.parametrize(
    ("rules", "start", "end", "extra", "refused"), list(CASES.values()), ids=list(CASES)
)
def test_each_rule_is_refused_with_its_code(complex_, rules, start, end, extra, refused) -> None:
    with tenant_context(complex_["tenant"]):
        Occupancy.objects.filter(resident__user=complex_["user"]).update(role="renter")
        facility = make_facility(**rules)
        with pytest.raises(ValidationError) as excinfo:
            _book(complex_, facility, start, end, **extra)
    assert _code(excinfo) == refused


def test_closures_quotas_and_other_units_are_refused(complex_) -> None:
    with tenant_context(complex_["tenant"]):
        facility = make_facility(quota_per_week=2, quota_hours_per_month=3)
        Closure.objects.create(facility=facility, start=at(9, 0), end=at(10, 0), reason="Cat ulang")
        with pytest.raises(ValidationError, match="Cat ulang"):
            _book(complex_, facility, at(9, 10), at(9, 11))
        _book(complex_, facility, at(8, 10), at(8, 11))
        _book(complex_, facility, at(8, 11), at(8, 12))
        with pytest.raises(ValidationError) as weekly:
            _book(complex_, facility, at(11, 10), at(11, 11))  # the same week: Friday
        assert _code(weekly) == "start:weekly_quota"
        _book(complex_, facility, at(14, 10), at(14, 11))  # the next week: 3 hours this month
        with pytest.raises(ValidationError) as monthly:
            _book(complex_, facility, at(15, 10), at(15, 11))
        assert _code(monthly) == "end:monthly_quota"
        neighbour = Unit.objects.create(block="Z", number="99")
        with pytest.raises(ValidationError) as other:
            _book(complex_, facility, at(20, 10), at(20, 11), unit=neighbour)
        assert _code(other) == "unit:not_your_unit"


@pytest.mark.parametrize("zone", [WIB, WITA, WIT])
def test_opening_hours_are_the_complexs_local_time(complex_, zone) -> None:
    complex_["tenant"].time_zone = str(zone)
    with tenant_context(complex_["tenant"]):
        facility = make_facility()
        booking = _book(complex_, facility, at(8, 6, zone=zone), at(8, 7, zone=zone))
        assert booking.status == Booking.Status.CONFIRMED
        with pytest.raises(ValidationError):  # 05:00 local, whatever the server's zone
            _book(complex_, facility, at(8, 5, zone=zone), at(8, 6, zone=zone))


def test_a_taken_time_is_a_conflict_naming_the_next_free_ones(complex_) -> None:
    with tenant_context(complex_["tenant"]):
        facility = make_facility()
        _book(complex_, facility, at(8, 10), at(8, 11))
        with pytest.raises(StateConflict) as taken:
            _book(complex_, facility, at(8, 10), at(8, 11))
        assert _conflict(taken.value) == "slot_taken"
        assert taken.value.details["next_free"][:2] == [
            at(8, 11).isoformat(),
            at(8, 12).isoformat(),
        ]
        assert "11:00" in " ".join(taken.value.messages)
        pool = make_facility(name="Kolam renang", capacity=10)
        _book(complex_, pool, at(8, 10), at(8, 11), party_size=6)
        _book(complex_, pool, at(8, 10), at(8, 11), party_size=4)
        with pytest.raises(StateConflict):
            _book(complex_, pool, at(8, 10), at(8, 11), party_size=1)


def test_an_unpaid_booking_holds_its_time_for_30_minutes(complex_) -> None:
    with tenant_context(complex_["tenant"]):
        clubhouse = make_facility(name="Clubhouse", fee_kind="per_booking", fee=Decimal(250_000))
        held = _book(complex_, clubhouse, at(9, 10), at(9, 11))
        assert held.status == "pending_payment" and held.fee == Decimal(250_000)
        assert held.hold_until == NOW + timedelta(minutes=30)
        with pytest.raises(StateConflict):
            _book(complex_, clubhouse, at(9, 10), at(9, 11), now=NOW + timedelta(minutes=29))
        later = _book(complex_, clubhouse, at(9, 10), at(9, 11), now=NOW + timedelta(minutes=31))
        assert later.status == "pending_payment"
        held.refresh_from_db()
        assert held.status == "expired"
        assert later.invoice.status == "pending"  # the hold lapsed; its invoice is open still
        # The clock lapses the second and releases both invoices: nothing left to pay.
        assert expire_holds(now=NOW + timedelta(hours=2)) == 2
        for booking in (held, later):
            booking.refresh_from_db()
            assert (booking.status, booking.invoice.status) == ("expired", "cancelled")
        assert expire_holds(now=NOW + timedelta(hours=3)) == 0
        with pytest.raises(StateConflict):  # it lapsed: nothing left to cancel
            cancel_booking(booking=later, actor=complex_["user"])
        kept = _book(complex_, clubhouse, at(10, 10), at(10, 11), now=NOW + timedelta(hours=2))
        assert cancel_booking(booking=kept, actor=complex_["user"]).status == "cancelled"


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["book", "cancel", "wait", "pay", "close", "expire"]),
        st.sampled_from(["court", "pool", "clubhouse"]),
        st.integers(min_value=0, max_value=5),  # which hour from 10:00
        st.integers(min_value=1, max_value=6),  # the party
    ),
    max_size=15,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_no_sequence_of_bookings_overlaps_or_overfills(complex_, steps) -> None:
    """Booking, paying, cancelling, closing an hour and letting holds lapse in any order
    never leaves two exclusive bookings at one time, nor more people than a shared facility
    takes, and every Rupiah paid stays on an invoice or in the unit's credit."""
    with tenant_context(complex_["tenant"]):
        Booking.objects.all().delete()
        Closure.objects.all().delete()
        Facility.objects.all().delete()
        Allocation.objects.all().delete()
        Payment.objects.all().delete()
        Invoice.objects.all().delete()
        facilities = {
            "court": make_facility(name="Lapangan"),
            "pool": make_facility(name="Kolam", capacity=8),
            "clubhouse": make_facility(
                name="Clubhouse",
                fee_kind="per_booking",
                fee=Decimal(1000),
                deposit=Decimal(500),
                free_cancel_hours=48,
                late_cancel_fee=Decimal(300),
            ),
        }
        units = [complex_["unit"], complex_["data"].units[1]]
        now = NOW
        for action, name, hour, party in steps:
            facility = facilities[name]
            bookings = list(Booking.objects.filter(facility=facility).order_by("pk"))
            chosen = bookings[hour % len(bookings)] if bookings else None
            start = at(9, 10 + hour)
            if action == "wait":
                now += timedelta(minutes=20)  # a hold of 30 minutes lapses after two waits
            elif action == "expire":
                expire_holds(now=now)
            elif action == "close":
                with contextlib.suppress(ValidationError):
                    close_facility(
                        facility=facility,
                        start=start,
                        end=start + timedelta(hours=1),
                        reason="Perawatan",
                        actor=complex_["data"].manager,
                    )
            elif action == "pay" and chosen is not None and chosen.invoice is not None:
                with contextlib.suppress(ValidationError):
                    record_payment(
                        unit=chosen.unit,
                        amount=chosen.invoice.total,
                        method="cash",
                        for_invoice=chosen.invoice,
                    )
            elif action == "cancel" and chosen is not None:
                with contextlib.suppress(StateConflict):
                    cancel_booking(booking=chosen, actor=complex_["user"], now=now)
            elif action == "book":
                with contextlib.suppress(StateConflict, ValidationError):
                    end = start + timedelta(hours=1)
                    unit = units[party % 2]
                    actor = complex_["user"] if unit == units[0] else complex_["data"].manager
                    _book(
                        complex_,
                        facility,
                        start,
                        end,
                        party_size=party,
                        now=now,
                        unit=unit,
                        actor=actor,
                    )
        for facility in facilities.values():
            for hour in range(6):
                start = at(9, 10 + hour)
                holding = Booking.objects.filter(
                    facility=facility,
                    status__in=HOLDING,
                    start__lt=start + timedelta(hours=1),
                    end__gt=start,
                ).exclude(hold_until__lt=now)
                if facility.capacity is None:
                    assert holding.count() <= 1
                else:
                    assert sum(b.party_size for b in holding) <= facility.capacity
        for unit in units:
            assert_ledger_balances(unit)
        # A booking holds its time only while its invoice can still be paid or is paid.
        for booking in Booking.objects.filter(status="confirmed", invoice__isnull=False):
            assert booking.invoice.status == "paid"


def test_twenty_people_booking_one_time_at_once_get_one_booking(pg_scratch) -> None:
    """On PostgreSQL: exclusive, one wins and 19 are told; shared (10 people), the party
    sizes never pass the capacity."""
    with tenant_context(pg_scratch):
        unit = Unit.objects.create(block="A", number="01")
        people = []
        for n in range(20):
            user = UserFactory(phone=f"0813000001{n:02d}", roles=[Role.RESIDENT])
            resident = Resident.objects.create(name=f"Warga {n}", phone=user.phone, user=user)
            Occupancy.objects.create(
                unit=unit, resident=resident, role="owner", start_on=NOW.date()
            )
            people.append(user)
        court = make_facility()
        pool = make_facility(name="Kolam renang", capacity=10, quota_per_week=None)

    def race(facility: Facility, party: int) -> list[str]:
        gate = threading.Barrier(len(people))
        outcomes: list[str] = []

        def attempt(person: Any) -> None:
            try:
                with tenant_context(pg_scratch):
                    gate.wait(timeout=30)
                    book_facility(
                        facility=facility,
                        unit=unit,
                        actor=person,
                        start=at(8, 10),
                        end=at(8, 11),
                        party_size=party,
                        now=NOW,
                    )
                    outcomes.append("booked")
            except StateConflict as exc:
                outcomes.append(_conflict(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return sorted(outcomes)

    assert race(court, 1) == ["booked"] + ["slot_taken"] * 19
    assert race(pool, 3) == ["booked"] * 3 + ["slot_taken"] * 17
    with tenant_context(pg_scratch):
        assert Booking.objects.filter(facility=court).count() == 1
        assert sum(b.party_size for b in Booking.objects.filter(facility=pool)) == 9
        # The database itself refuses an overlapping exclusive booking, whatever the code.
        first = Booking.objects.get(facility=court)
        with pytest.raises(IntegrityError):
            Booking.objects.create(
                facility=court,
                unit=unit,
                start=at(8, 10, 30),
                end=at(8, 11, 30),
                exclusive=True,
                status="confirmed",
            )
        assert first.pk


def _attempt_in_a_process(
    tenant: Any, ids: dict[str, int], party: int, gate: Any, out: Any
) -> None:
    """One person booking in a process of their own (forked): its own SQLite connection."""
    try:
        with tenant_context(tenant):
            facility = Facility.objects.get(pk=ids["facility"])
            unit = Unit.objects.get(pk=ids["unit"])
            actor = User.objects.get(pk=ids["actor"])
            gate.wait(timeout=30)
            book_facility(
                facility=facility,
                unit=unit,
                actor=actor,
                start=at(8, 10),
                end=at(8, 11),
                party_size=party,
                now=NOW,
            )
        out.put("booked")
    except StateConflict as exc:
        out.put(f"{_conflict(exc)}, next free {len(exc.details['next_free'])}")
    except Exception as exc:  # reported to the test, which fails on it
        out.put(f"error {exc!r}")


def test_twenty_processes_booking_one_time_on_sqlite_get_one_booking(sqlite_scratch) -> None:
    """The embedded default: each booking's transaction takes SQLite's write lock first, so
    of 20 processes at once one gets the court (three parties of 3 the pool of 10), and the
    others a 409 naming the next free times."""
    with tenant_context(sqlite_scratch):
        unit = Unit.objects.create(block="A", number="01")
        manager = User.objects.get(phone="+6281200000008")
        court = make_facility()
        pool = make_facility(name="Kolam renang", capacity=10)
    connections[alias_for(sqlite_scratch)].close()  # each process opens its own
    context = multiprocessing.get_context("fork")

    def race(facility: Facility, party: int) -> list[str]:
        gate, out = context.Barrier(20), context.Queue()
        ids = {"facility": facility.pk, "unit": unit.pk, "actor": manager.pk}
        people = [
            context.Process(
                target=_attempt_in_a_process, args=(sqlite_scratch, ids, party, gate, out)
            )
            for _ in range(20)
        ]
        for person in people:
            person.start()
        outcomes = sorted(out.get(timeout=60) for _ in people)
        for person in people:
            person.join(timeout=30)
            assert person.exitcode == 0
        return outcomes

    assert race(court, 1) == ["booked"] + ["slot_taken, next free 3"] * 19
    assert race(pool, 3) == ["booked"] * 3 + ["slot_taken, next free 3"] * 17
    with tenant_context(sqlite_scratch):
        assert Booking.objects.filter(facility=court).count() == 1
        assert sum(b.party_size for b in Booking.objects.filter(facility=pool)) == 9
