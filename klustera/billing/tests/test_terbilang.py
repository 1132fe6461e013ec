"""Amounts in Indonesian words, as printed under an invoice's total."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klustera.formatting import rupiah_in_words, terbilang


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (100, "seratus"),
        (101, "seratus satu"),
        (111, "seratus sebelas"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1100, "seribu seratus"),
        (2000, "dua ribu"),
        (11000, "sebelas ribu"),
        (100000, "seratus ribu"),
        (101000, "seratus satu ribu"),
        (1000000, "satu juta"),
        (1250000, "satu juta dua ratus lima puluh ribu"),
        (2001001, "dua juta seribu satu"),
        (1000000000, "satu miliar"),
        (1000000000000, "satu triliun"),
        (325750, "tiga ratus dua puluh lima ribu tujuh ratus lima puluh"),
        (-5000, "minus lima ribu"),
    ],
)
def test_terbilang(amount: int, words: str) -> None:
    assert terbilang(amount) == words


def test_the_invoice_line_reads_as_a_sentence() -> None:
    assert rupiah_in_words(Decimal("1250000")) == "Satu juta dua ratus lima puluh ribu rupiah"


@given(st.integers(min_value=1, max_value=10**15 - 1))
def test_every_amount_reads_cleanly(amount: int) -> None:
    words = terbilang(amount)
    assert words == words.strip() and "  " not in words
    for wrong in ("satu ratus", "satu puluh", "satu belas", "juta satu ribu", "liun satu ribu"):
        assert wrong not in words, words
    assert not words.startswith("satu ribu") and "miliar satu ribu" not in words
