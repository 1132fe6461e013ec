"""How money and dates read to Indonesian users: ``Rp 1.250.000``, ``24 Nov 2026``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def rupiah(amount: Decimal | int) -> str:
    """Whole Rupiah with dots between thousands: ``Rp 1.250.000`` (negative: ``-Rp 5.000``)."""
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    digits = f"{abs(whole):,.0f}".replace(",", ".")
    return f"{'-' if whole < 0 else ''}Rp {digits}"


def short_date(value: date | datetime, language: str = "id") -> str:
    """``24 Nov 2026``; datetimes are shown in the current (tenant's) time zone."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{short_date(value.date(), language)} {value:%H:%M}"
    months = MONTHS.get(language, MONTHS["id"])
    return f"{value.day} {months[value.month - 1]} {value.year}"
