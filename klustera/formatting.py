"""How money and dates read to Indonesian users: ``Rp 1.250.000``, ``24 Nov 2026``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

# The days a complex's books can hold: anything outside is a typing slip, not a date.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)

MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def rupiah(amount: Decimal | int) -> str:
    """Whole Rupiah with dots between thousands: ``Rp 1.250.000`` (negative: ``-Rp 5.000``)."""
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    digits = f"{abs(whole):,.0f}".replace(",", ".")
    return f"{'-' if whole < 0 else ''}Rp {digits}"


def decimal_number(value: Decimal) -> str:
    """A quantity as Indonesians write it: ``1.250``, ``90,5`` (no trailing zeros)."""
    text = f"{value.normalize():,f}" if value == value.to_integral() else f"{value.normalize():,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def short_date(value: date | datetime, language: str = "id") -> str:
    """``24 Nov 2026``; datetimes are shown in the current (tenant's) time zone."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{short_date(value.date(), language)} {value:%H:%M}"
    months = MONTHS.get(language, MONTHS["id"])
    return f"{value.day} {months[value.month - 1]} {value.year}"


_ONES = [
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
]
_SCALES = [(10**12, "triliun"), (10**9, "miliar"), (10**6, "juta")]


def terbilang(amount: Decimal | int) -> str:
    """A whole amount in Indonesian words, as written on invoices and receipts.

    ``1250000`` → ``satu juta dua ratus lima puluh ribu``; 1,000 and 100 are
    ``seribu`` and ``seratus``, 11 is ``sebelas``; zero is ``nol``.
    """
    number = int(Decimal(amount).to_integral_value(rounding=ROUND_HALF_UP))
    if number == 0:
        return "nol"
    if number < 0:
        return f"minus {terbilang(-number)}"
    return " ".join(_words(number).split())


def _words(n: int) -> str:
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        return f"{_ONES[n // 10]} puluh {_ONES[n % 10]}"
    if n < 200:
        return f"seratus {_words(n - 100)}"
    if n < 1000:
        return f"{_ONES[n // 100]} ratus {_words(n % 100)}"
    if n < 2000:
        return f"seribu {_words(n - 1000)}"
    if n < 10**6:
        return f"{_words(n // 1000)} ribu {_words(n % 1000)}"
    for scale, name in _SCALES:
        if n >= scale:
            return f"{_words(n // scale)} {name} {_words(n % scale)}"
    raise AssertionError("unreachable")  # pragma: no cover


def rupiah_in_words(amount: Decimal | int) -> str:
    """``Satu juta dua ratus lima puluh ribu rupiah``."""
    return f"{terbilang(amount)} rupiah".capitalize()


def percent(part: Decimal, whole: Decimal) -> int:
    """``part`` as a whole percentage of ``whole`` (0 without a whole): a collection rate."""
    return int(part * 100 / whole) if whole else 0
