from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from klustera.phones import normalize_phone


@pytest.mark.parametrize(
    "raw",
    ["081100000001", "0811-0000-0001", "+62 811 0000 0001", "62811 0000 0001", "(0811) 0000.0001"],
)
def test_every_way_of_writing_a_number_gives_one_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+6281100000001"


@pytest.mark.parametrize(
    "raw", ["", "0811", "+1 202 555 0100", "08110000000123456", "0811-abcd-0001", "+620811000001"]
)
def test_implausible_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_phone(raw)
