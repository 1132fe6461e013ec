"""What the platform remembers of backups and restore drills (platform database); the
backups themselves, with their manifests, are in the target."""

from __future__ import annotations

from django.db import models

from klustera.timestamps import Timestamped


class BackupAttempt(Timestamped):
    """One scheduled or asked-for backup of a complex (or of the platform: ``_platform``)."""

    complex = models.CharField(max_length=63, db_index=True)
    backup_id = models.CharField(max_length=40, blank=True)  # empty when it failed
    ok = models.BooleanField()
    size = models.BigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.complex} {self.backup_id or 'failed'}"


class Drill(Timestamped):
    """A nightly restore of a complex's latest backup into a scratch database, checked."""

    complex = models.CharField(max_length=63, db_index=True)
    backup_id = models.CharField(max_length=40)
    ok = models.BooleanField()
    detail = models.CharField(max_length=500, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"drill of {self.complex} {self.backup_id}: {'ok' if self.ok else 'failed'}"
