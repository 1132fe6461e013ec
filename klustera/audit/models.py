"""The audit trail of a complex: who did what to what, append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from klustera.timestamps import Timestamped


class AuditEntry(Timestamped):
    """One administrative or financial action. Entries are never changed or deleted: the
    application refuses to, PostgreSQL's trigger too, and the hash chain (``seq``,
    ``prev_hash``, ``hash``; see :mod:`klustera.audit.chain`) shows where a row was edited,
    deleted or moved behind their backs."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)  # "user 12" or "platform", never a name
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    details = models.JSONField(default=dict)
    # Read by time window (lockouts, the trail): indexed.
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    seq = models.PositiveBigIntegerField(unique=True)  # the position in the chain, from 1
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor_label}: {self.action} {self.target_type} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only.")


class ChainHead(Timestamped):
    """The last link of the complex's chain (one row): appending locks it, so entries take
    their places one after another, and an entry cut off the end still shows."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain at {self.seq}"
