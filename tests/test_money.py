"""Rupiah typed by people, in Indonesian and in English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from klustera.money import RupiahField, parse_rupiah


@pytest.mark.parametrize(
    "text,language,amount",
    [
        ("280.000", "id", "280000"),
        ("Rp 280.000", "id", "280000"),
        ("rp. 280000", "id", "280000"),
        ("IDR 1.000.000,00", "id", "1000000.00"),
        ("2.500,50", "id", "2500.50"),
        ("280,000", "en", "280000"),
        ("280.000", "en", "280000"),  # grouped in threes: thousands in both languages
        ("2,500.50", "en", "2500.50"),
        ("12.5", "en", "12.5"),
    ],
)
def test_amounts_parse_as_people_type_them(text: str, language: str, amount: str) -> None:
    assert parse_rupiah(text, language) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "Rp", "-5.000", "1,5.000", "1e6"])
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rupiah(text, "id")


def test_the_field_reads_the_page_language_and_keeps_its_limits() -> None:
    field = RupiahField(min_value=1, decimal_places=0)
    with translation.override("id"):
        assert field.clean("Rp 280.000") == Decimal("280000")
        assert 'value="280.000"' in field.widget.render(
            "amount", field.prepare_value(Decimal(280000))
        )
    with translation.override("en"):
        assert field.clean("280,000") == Decimal("280000")
    for bad in ("0", "1,5", "banyak"):
        with pytest.raises(Exception) as refused:
            field.clean(bad)
        assert refused.typename == "ValidationError"
