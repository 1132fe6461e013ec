"""A facility's rules as plain arithmetic on local times: when it is open, which slots it
offers, what a booking costs. Indonesia keeps no daylight saving, so a local day is always
24 hours long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """One opening: from ``start`` to ``end`` (aware), perhaps past midnight."""

    start: datetime
    end: datetime

    def holds(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


def opening(hours: dict[int, tuple[time, time]], day: date, zone: ZoneInfo) -> Window | None:
    """The opening that begins on ``day`` (local), if the facility opens that weekday.
    Closing at or before the opening time means after midnight."""
    if day.isoweekday() not in hours:
        return None
    opens, closes = hours[day.isoweekday()]
    start = datetime.combine(day, opens, zone)
    end_day = day if closes > opens else day + timedelta(days=1)
    return Window(start, datetime.combine(end_day, closes, zone))


def window_for(
    hours: dict[int, tuple[time, time]], start: datetime, end: datetime, zone: ZoneInfo
) -> Window | None:
    """The opening a booking from ``start`` to ``end`` fits in wholly: that day's, or the
    previous day's when it runs past midnight; none if it fits in none."""
    day = start.astimezone(zone).date()
    for candidate in (day - timedelta(days=1), day):
        window = opening(hours, candidate, zone)
        if window is not None and window.holds(start, end):
            return window
    return None


def on_the_grid(window: Window, start: datetime, minutes: int) -> bool:
    """Whether ``start`` begins one of the window's slots of ``minutes``."""
    return (start - window.start) % timedelta(minutes=minutes) == timedelta(0)


def slots(window: Window, minutes: int) -> list[tuple[datetime, datetime]]:
    """The window cut into slots of ``minutes`` (a last, shorter piece is no slot)."""
    length = timedelta(minutes=minutes)
    found = []
    moment = window.start
    while moment + length <= window.end:
        found.append((moment, moment + length))
        moment += length
    return found


def price(
    *,
    kind: str,
    fee: Decimal,
    weekend_fee: Decimal | None,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    holiday: bool = False,
) -> Decimal:
    """What a booking costs in whole Rupiah: nothing, the fee per booking, or the fee per
    hour for its length (rounded half up); the weekend fee where set on Saturdays, Sundays
    and holidays (the local day the booking starts)."""
    if kind == "free":
        return Decimal(0)
    weekend = holiday or start.astimezone(zone).isoweekday() >= 6
    rate = weekend_fee if weekend and weekend_fee is not None else fee
    if kind == "per_booking":
        return rate
    hours = Decimal(int((end - start).total_seconds() // 60)) / 60
    return (rate * hours).quantize(Decimal(1), ROUND_HALF_UP)
