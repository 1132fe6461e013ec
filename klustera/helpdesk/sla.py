"""Service clocks: when a response or a resolution is due, counted in the complex's time zone,
around the clock or in business hours only. Indonesia keeps no daylight saving, so a local day
is always 24 hours long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = frozenset(range(1, 6))  # Monday to Friday (ISO weekdays)


@dataclass(frozen=True)
class BusinessHours:
    start: time
    end: time
    days: frozenset[int] = WEEKDAYS

    def __post_init__(self) -> None:
        if not self.start < self.end or not self.days:
            raise ValueError("business hours need a start before the end and at least a day")


def due_after(
    start: datetime, hours: int, zone: ZoneInfo, business: BusinessHours | None = None
) -> datetime:
    """The moment ``hours`` of service time after ``start`` (aware; returned in UTC).

    Around the clock it is plain addition. In business hours the clock runs only between
    ``start`` and ``end`` of the business days, local time: a ticket filed on Friday at
    16:00 with 4 hours is due on Monday at 11:00 (business hours 08:00–17:00).
    """
    if business is None:
        return (start + timedelta(hours=hours)).astimezone(UTC)
    remaining = timedelta(hours=hours)
    moment = start.astimezone(zone)
    while True:
        day = moment.date()
        opens = datetime.combine(day, business.start, zone)
        closes = datetime.combine(day, business.end, zone)
        if day.isoweekday() not in business.days or moment >= closes:
            moment = datetime.combine(day + timedelta(days=1), business.start, zone)
            continue
        moment = max(moment, opens)
        if remaining <= closes - moment:
            return (moment + remaining).astimezone(UTC)
        remaining -= closes - moment
        moment = datetime.combine(day + timedelta(days=1), business.start, zone)
