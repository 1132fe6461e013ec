"""Template filters for money and dates, loaded with ``{% load money %}``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone, translation

from klustera.formatting import rupiah as format_rupiah
from klustera.formatting import short_date as format_short_date

register = template.Library()


@register.filter
def rupiah(value: Decimal | int | None) -> str:
    """``{{ invoice.total|rupiah }}`` → ``Rp 1.250.000``."""
    return "" if value is None else format_rupiah(value)


@register.filter
def short_date(value: date | datetime | None, precision: str = "") -> str:
    """``24 Nov 2026`` in the active language; an instant adds its time in the complex's zone
    unless ``|short_date:"day"``."""
    if value is None:
        return ""
    if precision == "day" and isinstance(value, datetime):
        value = timezone.localdate(value)
    return format_short_date(value, translation.get_language() or "id")


@register.filter
def paid_on(payment: Any) -> str:
    """When a payment was made: its day and time if known, its day if booked by hand."""
    return short_date(payment.paid_at, "" if payment.time_known else "day")
