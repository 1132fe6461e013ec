"""The audit trail of a complex: who did what to what, append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class SecurityEvent(Timestamped):
    """One attempt across a boundary or against a door, kept in the platform's database (see
    ``PLATFORM_MODELS``) for the operator: never changed; pruned after a year."""

    class Kind(models.TextChoices):
        FOREIGN_TOKEN = "foreign_token", _("Another complex's token")
        BOUNDARY_REFUSED = "boundary_refused", _("A query across complexes refused")
        FOREIGN_OBJECT = "foreign_object", _("Someone else's record asked for")
        FORGED_CALLBACK = "forged_callback", _("A callback with a wrong token or signature")
        SIGN_IN_FAILED = "sign_in_failed", _("A failed sign-in")
        LOCKED_OUT = "locked_out", _("A phone or address locked out")
        PERMISSION_DENIED = "permission_denied", _("A permission denied")

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    complex = models.CharField(max_length=63, blank=True, db_index=True)  # where it happened
    other_complex = models.CharField(max_length=63, blank=True)  # whose token it was
    ip = models.GenericIPAddressField(null=True, blank=True)
    route = models.CharField(max_length=200, blank=True)  # the URL pattern, no ids
    user_id = models.PositiveBigIntegerField(null=True, blank=True)  # of that complex
    detail = models.CharField(max_length=200, blank=True)
    # Read by time window (the console's filters, the pruning): indexed.
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.complex or 'platform'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Security events are append-only.")
        super().save(*args, **kwargs)
