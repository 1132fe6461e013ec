"""Grandfather-father-son: which backups of a complex to keep."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any


def backups_to_keep(
    taken: Iterable[datetime], *, daily: int = 7, weekly: int = 4, monthly: int = 3
) -> set[datetime]:
    """The newest backup of each of the last ``daily`` days that have one, of the last
    ``weekly`` ISO weeks and of the last ``monthly`` months — and always the newest of all,
    so pruning never leaves a complex without its last good backup."""
    moments = sorted(set(taken), reverse=True)
    keep = set(moments[:1])

    def newest_per(period: Callable[[datetime], Any], count: int) -> None:
        seen: list[Any] = []
        for moment in moments:  # newest first: the first of each period is its newest
            key = period(moment)
            if key not in seen:
                if len(seen) == count:
                    return
                seen.append(key)
                keep.add(moment)

    newest_per(lambda m: m.date(), daily)
    newest_per(lambda m: m.isocalendar()[:2], weekly)
    newest_per(lambda m: (m.year, m.month), monthly)
    return keep
