"""Gapless document numbers: ``INV/2026/12/000123``, ``KWT/2026/12/000045``."""

from __future__ import annotations

from datetime import date

from klustera.billing.models import NumberSequence


def next_numbers(*, kind: str, prefix: str, on: date, count: int = 1) -> list[str]:
    """The next ``count`` numbers of ``kind`` in the year of ``on``.

    Call it inside the transaction that stores the documents: the sequence row
    stays locked until that transaction ends, so concurrent callers queue and
    rolled-back documents give their numbers back.
    """
    sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
        kind=kind, year=on.year
    )
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return [
        f"{prefix}/{on.year}/{on.month:02d}/{number:06d}"
        for number in range(first, sequence.last_number + 1)
    ]


def next_number(*, kind: str, prefix: str, on: date) -> str:
    return next_numbers(kind=kind, prefix=prefix, on=on)[0]
