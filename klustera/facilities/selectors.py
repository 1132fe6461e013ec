"""What residents may see of the facilities: which exist, and when each is free, taken (never
by whom) or closed."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from klustera.facilities.models import HOLDING, Booking, Facility, Holiday
from klustera.facilities.rules import opening, slots
from klustera.roles import is_manager
from klustera.tenancy.context import current_tenant

MAX_DAYS = 31  # the longest stretch one availability answer covers


def facilities_visible_to(user: Any) -> QuerySet[Facility]:
    """Managers see every facility; everyone else the ones in use."""
    facilities = Facility.objects.prefetch_related("hours", "photos")
    return facilities if is_manager(user) else facilities.filter(is_active=True)


def access_facility(user: Any, pk: Any) -> Facility:
    return get_object_or_404(facilities_visible_to(user), pk=pk)


def bookings_visible_to(user: Any) -> QuerySet[Booking]:
    """Managers see every booking; residents their units' (whoever of the household booked)."""
    bookings = Booking.objects.select_related("facility", "unit")
    if is_manager(user):
        return bookings
    return bookings.filter(
        unit__occupancies__resident__user=user, unit__occupancies__end_on__isnull=True
    ).distinct()


def booking_paid_by(invoice: Any) -> Booking | None:
    """The booking an invoice was issued for, if any."""
    return Booking.objects.filter(invoice=invoice).first()


def availability(
    facility: Facility, first: date, last: date, now: datetime
) -> list[dict[str, Any]]:
    """Per local day from ``first`` to ``last``: its opening, and its slots (fixed slots, or
    30-minute steps for free ranges) each ``free``, ``full`` or ``closed``, with the places
    left for a shared facility. Who booked is never told."""
    tenant = current_tenant()
    zone = ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")
    hours = {row.weekday: (row.opens, row.closes) for row in facility.hours.all()}
    since = datetime.combine(first, datetime.min.time(), zone)
    until = datetime.combine(last + timedelta(days=2), datetime.min.time(), zone)
    taken = sorted(
        Booking.objects.filter(
            facility=facility, status__in=HOLDING, start__lt=until, end__gt=since
        )
        .exclude(hold_until__lt=now)
        .values_list("start", "end", "party_size")
    )
    starts = [start for start, _end, _party in taken]
    longest = max((end - start for start, end, _party in taken), default=timedelta())
    closures = list(
        facility.closures.filter(start__lt=until, end__gt=since).values_list("start", "end")
    )
    holidays = dict(Holiday.objects.filter(day__range=(first, last)).values_list("day", "name"))
    step = facility.slot_minutes if facility.mode == Facility.Mode.SLOTS else 30
    buffer = timedelta(minutes=facility.buffer_minutes)
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        window = opening(hours, day, zone)
        cells = []
        for start, end in slots(window, step) if window else []:
            if any(s < end and e > start for s, e in closures):
                cells.append({"start": start, "end": end, "state": "closed", "places": 0})
                continue
            # Only bookings starting from (start - buffer - the longest) can reach this slot.
            low = bisect_left(starts, start - buffer - longest)
            high = bisect_left(starts, end + buffer)
            near = [p for _s, e, p in taken[low:high] if e > start - buffer]
            if facility.capacity is None:
                places = 0 if near else 1
            else:
                places = max(facility.capacity - sum(near), 0)
            state = "free" if places else "full"
            cells.append({"start": start, "end": end, "state": state, "places": places})
        days.append(
            {
                "day": day,
                "holiday": holidays.get(day),
                "opens": window.start if window else None,
                "closes": window.end if window else None,
                "slots": cells,
            }
        )
    return days
