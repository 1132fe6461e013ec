"""Indonesian phone numbers, normalised to E.164 (+62…) with Google's libphonenumber data."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_phone(raw: str) -> str:
    """``0811-0000-0001``, ``62811…`` and ``+62 811…`` all become ``+62811…``.

    Raises ``ValidationError`` for anything that is not a possible Indonesian number
    (libphonenumber's lengths for Indonesia, mobile and fixed line).
    """
    value = _SEPARATORS.sub("", raw or "")
    if value.startswith("62"):
        value = "+" + value
    # A national number never starts with 0 after +62 (libphonenumber would drop the 0).
    wrong_start = value.startswith("+620") or not value.startswith(("+62", "0"))
    if wrong_start or not value.lstrip("+").isdigit():
        raise ValidationError(
            _("Enter an Indonesian phone number, e.g. 0812 3456 7890."), code="phone"
        )
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 62
        or not 8 <= len(str(number.national_number)) <= 12
        or not phonenumbers.is_possible_number(number)
    ):
        raise ValidationError(
            _("Enter an Indonesian phone number, e.g. 0812 3456 7890."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
