"""Booking a facility: every rule checked, then the time taken, never twice.

Of two people booking the same time at once, one gets it and the other a 409 with the
next free times. The database decides: a transaction-level lock per facility (PostgreSQL's
advisory lock; SQLite lets one transaction write at a time, begun ``IMMEDIATE``) around the
check and the insert, and on PostgreSQL an exclusion constraint that no two exclusive
bookings of one facility overlap, whatever the code does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.errors import StateConflict
from klustera.estate.models import Occupancy, Unit
from klustera.estate.selectors import units_visible_to
from klustera.facilities.models import HOLDING, Booking, Facility
from klustera.facilities.rules import on_the_grid, opening, price, slots, window_for
from klustera.roles import is_manager
from klustera.tenancy.context import current_tenant, one_writer_at_a_time, tenant_atomic

B = Booking.Status
HOLD = timedelta(minutes=30)  # a booking waiting for its payment keeps its time this long


def _zone() -> ZoneInfo:
    tenant = current_tenant()
    return ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")


def _hours(facility: Facility) -> dict[int, Any]:
    return {row.weekday: (row.opens, row.closes) for row in facility.hours.all()}


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def check_booking(
    *,
    facility: Facility,
    unit: Unit,
    actor: User,
    start: datetime,
    end: datetime,
    party_size: int,
    now: datetime,
) -> None:
    """Every rule of the facility a booking must keep, in the complex's time zone; the first
    broken one is a 422 naming it (its code says which)."""
    zone = _zone()
    if end <= start:
        raise _refuse("end", _("The end must be after the start."), "booking_ends_first")
    if not facility.is_active:
        raise _refuse("facility", _("This facility is not booked any more."), "facility_closed")
    if not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise _refuse("unit", _("Book for a unit you live in."), "not_your_unit")
    if facility.eligibility == Facility.Eligibility.OWNERS and not is_manager(actor):
        owns = Occupancy.objects.filter(
            unit=unit, resident__user=actor, role=Occupancy.Role.OWNER, end_on__isnull=True
        )
        if not owns.exists():
            raise _refuse("unit", _("Only owners book this facility."), "owners_only")
    if start < now + timedelta(hours=facility.lead_min_hours):
        raise _refuse(
            "start",
            _("Book at least %(n)s hours ahead.") % {"n": facility.lead_min_hours},
            "too_soon",
        )
    if start > now + timedelta(days=facility.lead_max_days):
        raise _refuse(
            "start",
            _("Book at most %(n)s days ahead.") % {"n": facility.lead_max_days},
            "too_far_ahead",
        )
    window = window_for(_hours(facility), start, end, zone)
    if window is None:
        raise _refuse("start", _("The facility is not open all that time."), "outside_hours")
    minutes = int((end - start).total_seconds() // 60)
    if facility.mode == Facility.Mode.SLOTS:
        if minutes != facility.slot_minutes or not on_the_grid(window, start, minutes):
            raise _refuse(
                "start",
                _("Book one of its %(n)s-minute slots.") % {"n": facility.slot_minutes},
                "not_a_slot",
            )
    elif not facility.min_minutes <= minutes <= facility.max_minutes:
        raise _refuse(
            "end",
            _("A booking lasts from %(min)s to %(max)s minutes.")
            % {"min": facility.min_minutes, "max": facility.max_minutes},
            "wrong_length",
        )
    if facility.capacity is not None and party_size > facility.capacity:
        raise _refuse(
            "party_size",
            _("At most %(n)s people at a time.") % {"n": facility.capacity},
            "over_capacity",
        )
    closed = facility.closures.filter(start__lt=end, end__gt=start).first()
    if closed is not None:
        raise _refuse(
            "start", _("Closed then: %(reason)s") % {"reason": closed.reason}, "closed_then"
        )
    _check_quota(facility, unit, start, minutes, zone)


def _check_quota(
    facility: Facility, unit: Unit, start: datetime, minutes: int, zone: ZoneInfo
) -> None:
    """At most so many bookings a week (Monday to Sunday) and so many hours a month per
    unit, counted in the complex's calendar."""
    day = start.astimezone(zone).date()
    mine = Booking.objects.filter(facility=facility, unit=unit).exclude(
        status__in=(B.CANCELLED, B.EXPIRED, B.DECLINED)
    )
    if facility.quota_per_week is not None:
        monday = day - timedelta(days=day.weekday())
        since = datetime.combine(monday, datetime.min.time(), zone)
        week = mine.filter(start__gte=since, start__lt=since + timedelta(days=7)).count()
        if week >= facility.quota_per_week:
            raise _refuse(
                "start",
                _("Your unit has used its %(n)s bookings of that week.")
                % {"n": facility.quota_per_week},
                "weekly_quota",
            )
    if facility.quota_hours_per_month is not None:
        first = datetime.combine(day.replace(day=1), datetime.min.time(), zone)
        after = datetime.combine(
            (day.replace(day=28) + timedelta(days=4)).replace(day=1), datetime.min.time(), zone
        )
        used = sum(
            (booking.end - booking.start).total_seconds() / 60
            for booking in mine.filter(start__gte=first, start__lt=after).only("start", "end")
        )
        if used + minutes > facility.quota_hours_per_month * 60:
            raise _refuse(
                "end",
                _("Your unit has %(n)s hours a month here, and this goes past them.")
                % {"n": facility.quota_hours_per_month},
                "monthly_quota",
            )


def _taking(facility: Facility, now: datetime) -> QuerySet[Booking]:
    """The bookings that hold their time now: confirmed, or pending within their hold."""
    return Booking.objects.filter(facility=facility, status__in=HOLDING).exclude(hold_until__lt=now)


def _clashes(facility: Facility, start: datetime, end: datetime, party: int, now: datetime) -> bool:
    buffer = timedelta(minutes=facility.buffer_minutes)
    near = _taking(facility, now).filter(start__lt=end + buffer, end__gt=start - buffer)
    if facility.capacity is None:
        return near.exists()
    taken = near.aggregate(people=Sum("party_size"))["people"] or 0
    return taken + party > facility.capacity


def next_free(
    facility: Facility, after: datetime, minutes: int, party: int, now: datetime, count: int = 3
) -> list[datetime]:
    """The next ``count`` starts within a week after ``after`` where a booking of ``minutes``
    for ``party`` people would fit (by opening hours, closures and what is taken)."""
    zone = _zone()
    hours = _hours(facility)
    step = facility.slot_minutes if facility.mode == Facility.Mode.SLOTS else 30
    length = timedelta(minutes=minutes)
    found: list[datetime] = []
    day = after.astimezone(zone).date()
    for offset in range(-1, 8):  # the day before: an opening past midnight
        window = opening(hours, day + timedelta(days=offset), zone)
        for start, _slot_end in slots(window, step) if window else []:
            end = start + length
            if start <= after or not (window and window.holds(start, end)):
                continue
            if facility.closures.filter(start__lt=end, end__gt=start).exists():
                continue
            if not _clashes(facility, start, end, party, now):
                found.append(start)
                if len(found) == count:
                    return found
    return found


def book_facility(
    *,
    facility: Facility,
    unit: Unit,
    actor: User,
    start: datetime,
    end: datetime,
    party_size: int = 1,
    note: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book ``facility`` for ``unit``: free ones are confirmed at once; one with a fee waits
    30 minutes for its payment, one that needs approval for the manager, holding its time."""
    now = now or timezone.now()
    zone = _zone()
    fee = price(
        kind=facility.fee_kind,
        fee=facility.fee,
        weekend_fee=facility.weekend_fee,
        start=start,
        end=end,
        zone=zone,
    )
    if facility.needs_approval:
        status = B.PENDING_APPROVAL
    elif fee or facility.deposit:
        status = B.PENDING_PAYMENT
    else:
        status = B.CONFIRMED
    try:
        with tenant_atomic():
            one_writer_at_a_time(f"facility-{facility.pk}")
            # Under the lock, so two bookings of one unit cannot both slip under its quota.
            check_booking(
                facility=facility,
                unit=unit,
                actor=actor,
                start=start,
                end=end,
                party_size=party_size,
                now=now,
            )
            _expire(Booking.objects.filter(facility=facility), now)  # lapsed holds free time
            if _clashes(facility, start, end, party_size, now):
                raise _taken(facility, start, end, party_size, now)
            return Booking.objects.create(
                facility=facility,
                unit=unit,
                booked_by=actor,
                start=start,
                end=end,
                party_size=party_size,
                exclusive=facility.exclusive,
                status=status,
                hold_until=now + HOLD if status == B.PENDING_PAYMENT else None,
                fee=fee,
                deposit=facility.deposit,
                note=note.strip()[:300],
            )
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: taken a moment ago
        raise _taken(facility, start, end, party_size, now) from exc


def _taken(
    facility: Facility, start: datetime, end: datetime, party: int, now: datetime
) -> StateConflict:
    minutes = int((end - start).total_seconds() // 60)
    free = next_free(facility, start, minutes, party, now)
    zone = _zone()
    times = ", ".join(date_format(moment.astimezone(zone), "D j M H:i") for moment in free)
    message = _("That time is taken.") + (
        " " + _("Free: %(times)s.") % {"times": times} if times else ""
    )
    return StateConflict(
        {"start": [message]},
        code="slot_taken",
        details={"next_free": [t.isoformat() for t in free]},
    )


def cancel_booking(*, booking: Booking, actor: User, reason: str = "") -> Booking:
    """The resident (or a manager) cancels a booking that still holds its time."""
    with tenant_atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status not in HOLDING:
            raise StateConflict(_("This booking is no longer active."), code="booking_not_active")
        booking.status = B.CANCELLED
        booking.reason = reason.strip()[:300]
        booking.save(update_fields=["status", "reason", "updated_at"])
    return booking


def expire_holds(*, now: datetime | None = None) -> int:
    """Bookings still unpaid when their hold ends give their time back; how many."""
    return _expire(Booking.objects.all(), now or timezone.now())


def _expire(bookings: QuerySet[Booking], now: datetime) -> int:
    return bookings.filter(status=B.PENDING_PAYMENT, hold_until__lt=now).update(
        status=B.EXPIRED, updated_at=now
    )
