"""The facilities' utilisation report: per facility how much of its open time was booked,
how many bookings and no-shows, and the fees; per unit how much it booked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from klustera.api import DayField, FilterChoice
from klustera.facilities.models import Booking, Facility
from klustera.facilities.rules import opening
from klustera.tenancy.context import current_tenant

USED = (Booking.Status.CONFIRMED, Booking.Status.CLOSED, Booking.Status.NO_SHOW)
MAX_DAYS = 366


@dataclass
class FacilityFigures:
    facility: Facility
    open_hours: Decimal = Decimal(0)  # for a shared facility: person-hours (× capacity)
    booked_hours: Decimal = Decimal(0)  # person-hours for a shared facility
    bookings: int = 0
    no_shows: int = 0
    cancelled: int = 0
    income: Decimal = Decimal(0)  # the fees of the bookings that were kept

    @property
    def occupancy(self) -> Decimal | None:
        """Booked share of the open time, in percent (None: never open)."""
        if not self.open_hours:
            return None
        return (self.booked_hours * 100 / self.open_hours).quantize(Decimal("0.1"))


@dataclass
class UnitFigures:
    unit: str
    bookings: int = 0
    hours: Decimal = Decimal(0)


@dataclass
class Utilisation:
    first: date
    last: date
    facilities: list[FacilityFigures]
    units: list[UnitFigures] = field(default_factory=list)  # the most booking first

    @property
    def income(self) -> Decimal:
        return sum((row.income for row in self.facilities), Decimal(0))


def _hours(delta: timedelta) -> Decimal:
    return Decimal(int(delta.total_seconds())) / 3600


def utilisation(first: date, last: date) -> Utilisation:
    """The bookings starting from ``first`` to ``last`` (the complex's days, included)."""
    tenant = current_tenant()
    zone = ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")
    since = datetime.combine(first, datetime.min.time(), zone)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    facilities = list(Facility.objects.prefetch_related("hours", "closures"))
    rows = {facility.pk: FacilityFigures(facility) for facility in facilities}
    for facility in facilities:
        hours = {row.weekday: (row.opens, row.closes) for row in facility.hours.all()}
        closures = [(c.start, c.end) for c in facility.closures.all()]
        open_time = timedelta()
        for offset in range((last - first).days + 1):
            window = opening(hours, first + timedelta(days=offset), zone)
            if window is None:
                continue
            open_time += window.end - window.start
            for start, end in closures:
                overlap = min(end, window.end) - max(start, window.start)
                if overlap > timedelta():
                    open_time -= overlap
        rows[facility.pk].open_hours = _hours(open_time) * (facility.capacity or 1)
    units: dict[str, UnitFigures] = defaultdict(lambda: UnitFigures(""))
    bookings = Booking.objects.filter(start__gte=since, start__lt=until).select_related("unit")
    for booking in bookings.only(
        "facility_id", "unit", "start", "end", "party_size", "status", "fee"
    ):
        row = rows[booking.facility_id]
        if booking.status not in USED:
            row.cancelled += booking.status == Booking.Status.CANCELLED
            continue
        length = _hours(booking.end - booking.start)
        row.bookings += 1
        row.no_shows += booking.status == Booking.Status.NO_SHOW
        row.booked_hours += length * (booking.party_size if row.facility.capacity else 1)
        row.income += booking.fee
        label = str(booking.unit)
        units[label].unit = label
        units[label].bookings += 1
        units[label].hours += length
    ranked = sorted(units.values(), key=lambda u: (-u.bookings, -u.hours, u.unit))
    return Utilisation(first, last, list(rows.values()), ranked)


COLUMNS = (
    gettext_lazy("Facility"),
    gettext_lazy("Open hours"),
    gettext_lazy("Booked hours"),
    gettext_lazy("Occupancy (%)"),
    gettext_lazy("Bookings"),
    gettext_lazy("No-shows"),
    gettext_lazy("Cancelled"),
    gettext_lazy("Fees (Rp)"),
)


def report_table(report: Utilisation) -> list[list[Any]]:
    """The facilities' figures as a file holds them (shared facilities in person-hours)."""
    rows: list[list[Any]] = [[str(title) for title in COLUMNS]]
    rows += [
        [
            row.facility.name,
            row.open_hours,
            row.booked_hours,
            row.occupancy,
            row.bookings,
            row.no_shows,
            row.cancelled,
            row.income,
        ]
        for row in report.facilities
    ]
    return rows


def report_data(report: Utilisation) -> dict[str, Any]:
    """The report as the API answers it: amounts and hours as strings, as money is."""
    return {
        "start": report.first,
        "end": report.last,
        "facilities": [
            {
                "id": row.facility.pk,
                "name": row.facility.name,
                "open_hours": str(row.open_hours.quantize(Decimal("0.1"))),
                "booked_hours": str(row.booked_hours.quantize(Decimal("0.1"))),
                "occupancy_percent": None if row.occupancy is None else str(row.occupancy),
                "bookings": row.bookings,
                "no_shows": row.no_shows,
                "cancelled": row.cancelled,
                "income": str(row.income),
            }
            for row in report.facilities
        ],
        "units": [
            {"unit": row.unit, "bookings": row.bookings, "hours": str(row.hours)}
            for row in report.units
        ],
        "income": str(report.income),
    }


class ReportPeriod(serializers.Serializer):
    start = DayField(required=False, help_text="bookings starting from this day (the 1st)")
    end = DayField(required=False, help_text="up to this day, included (the month's end)")
    format = FilterChoice([("csv", "CSV"), ("xlsx", "XLSX")], help_text="a file, not JSON")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """This month by default; at most a year."""
        today = timezone.localdate()
        start = attrs.get("start") or today.replace(day=1)
        end = attrs.get("end") or (start.replace(day=28) + timedelta(days=4)).replace(
            day=1
        ) - timedelta(days=1)
        if not 0 <= (end - start).days < MAX_DAYS:
            raise serializers.ValidationError(
                {"end": [_("Choose an end after the start, at most a year later.")]}
            )
        return {**attrs, "start": start, "end": end}
