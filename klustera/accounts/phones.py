"""Indonesian phone numbers, normalised to E.164 (+62…)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_phone(raw: str) -> str:
    """``0811-0000-0001``, ``62811…`` and ``+62 811…`` all become ``+62811…``.

    Raises ``ValidationError`` for anything that is not a plausible Indonesian number.
    """
    value = _SEPARATORS.sub("", raw or "")
    if value.startswith("+"):
        value = value[1:]
    elif value.startswith("0"):
        value = "62" + value[1:]
    if not value.isdigit() or not value.startswith("62"):
        raise ValidationError(
            _("Enter an Indonesian phone number, e.g. 0812 3456 7890."), code="phone"
        )
    national = value[2:]
    # National significant numbers are 8–12 digits and never start with 0.
    if not 8 <= len(national) <= 12 or national.startswith("0"):
        raise ValidationError(
            _("Enter an Indonesian phone number, e.g. 0812 3456 7890."), code="phone"
        )
    return "+" + value
