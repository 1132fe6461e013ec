"""Rupiah as people type it: ``280.000``, ``Rp 280.000`` or ``280000`` in Indonesian, ``280,000``
in English; the form field that accepts it."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import translation

from klustera.formatting import decimal_number

_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")  # 280.000 or 1,250,000


def parse_rupiah(text: str, language: str = "id") -> Decimal:
    """The amount in ``text``; ``ValueError`` if it is not one.

    Thousands are grouped by dots in Indonesian and by commas in English, and the other
    mark starts the decimals. Rupiah are whole in practice, so digits grouped in threes
    by either mark (``280.000`` typed on an English page) are thousands in both.
    """
    cleaned = _CURRENCY.sub("", text.strip()).replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"\d[\d.,]*", cleaned):
        raise ValueError(text)
    if _GROUPED.fullmatch(cleaned):
        return Decimal(re.sub(r"[.,]", "", cleaned))
    thousands, decimals = (",", ".") if language == "en" else (".", ",")
    whole, _sep, fraction = cleaned.partition(decimals)
    grouped = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+"
    if not re.fullmatch(rf"\d+|{grouped}", whole) or not re.fullmatch(r"\d*", fraction):
        raise ValueError(text)
    try:
        return Decimal(whole.replace(thousands, "") + (f".{fraction}" if fraction else ""))
    except InvalidOperation:
        raise ValueError(text) from None


class RupiahField(forms.DecimalField):
    """An amount of Rupiah typed the user's way; shown back grouped the Indonesian way."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            amount = parse_rupiah(str(value), translation.get_language() or "id")
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount

    def prepare_value(self, value: Any) -> Any:
        return decimal_number(value) if isinstance(value, Decimal) else value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}  # no min, max or step: those belong to <input type=number>
