"""The audit trail as a hash chain: each entry holds the hash of the one before it and of its
own content, so an entry edited, deleted or moved with raw SQL breaks the chain where it was.

An entry's hash is SHA-256 over the previous entry's hash and the entry's canonical content:
its position (``seq``), time, actor label, action, target and details as sorted, compact
JSON. The actor's id is left out (the label says who, and stays). What is hashed must never
change: migrations that fill the chain of existing trails import :func:`entry_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of a trail's first entry
FIELDS = (
    "seq",
    "created_at",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "details",
    "prev_hash",
    "hash",
)


def canonical(details: Any) -> Any:
    """``details`` as the JSON column gives them back (tuples become lists, and so on)."""
    return json.loads(json.dumps(details))


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    created_at: datetime,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    details: Any,
) -> str:
    content = json.dumps(
        [
            seq,
            created_at.isoformat(timespec="microseconds"),
            actor_label,
            action,
            target_type,
            target_id,
            details,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def hash_of(entry: Any) -> str:
    """:func:`entry_hash` of an entry whose ``prev_hash`` and ``seq`` are set (any object
    with the entry's fields: a model instance, a migration's historical one)."""
    return entry_hash(
        prev_hash=entry.prev_hash,
        seq=entry.seq,
        created_at=entry.created_at,
        actor_label=entry.actor_label,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        details=entry.details,
    )


@dataclass(frozen=True)
class Break:
    """The first broken link: the entry (by ``seq``, or the row id where ``seq`` is wrong)
    and what is wrong with it."""

    seq: int
    reason: str


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_rows(rows: Iterable[tuple[Any, ...]]) -> Verdict:
    """Walk ``rows`` (the :data:`FIELDS` of each entry, in ``seq`` order) and stop at the
    first broken link: a gap in the positions (a deleted row), a previous hash that is not
    the one before (a deleted or moved row), or a hash that is not the content's (an edit)."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for seq, created_at, label, action, target_type, target_id, details, prev, own in rows:
        if seq != expected_seq:
            return Verdict(checked, Break(expected_seq, f"entry {expected_seq} is missing"))
        if prev != expected_prev:
            return Verdict(checked, Break(seq, "it does not follow the entry before it"))
        recomputed = entry_hash(
            prev_hash=prev,
            seq=seq,
            created_at=created_at,
            actor_label=label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details,
        )
        if recomputed != own:
            return Verdict(checked, Break(seq, "its content was changed"))
        expected_prev, expected_seq, checked = own, seq + 1, checked + 1
    return Verdict(checked, None)
