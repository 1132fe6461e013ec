"""Gapless document numbers: ``INV/2026/12/000123``, ``KWT/2026/12/000045``."""

from __future__ import annotations

from datetime import date

from klustera.billing.models import NumberSequence


def next_number(*, kind: str, prefix: str, on: date) -> str:
    """The next number of ``kind`` in the year of ``on``.

    Call it inside the transaction that stores the document: the sequence row
    stays locked until that transaction ends, so concurrent callers queue and
    a rolled-back document gives its number back.
    """
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
        kind=kind, year=on.year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}/{on.year}/{on.month:02d}/{sequence.last_number:06d}"
