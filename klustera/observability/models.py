"""What the operators' console keeps of the queues' work (platform database)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FailedTask(models.Model):
    """A task that failed its last attempt: what it was, for whom, why — and the task itself
    (Huey's serialized message), so an operator can run it again."""

    queue = models.CharField(_("queue"), max_length=20)
    task = models.CharField(_("task"), max_length=200)  # its dotted name
    complex = models.CharField(_("complex"), max_length=63, blank=True)  # empty: platform work
    error = models.CharField(_("error"), max_length=400)  # type and scrubbed message
    message = models.BinaryField()
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now, db_index=True)
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)

    class Meta:
        ordering = ["-failed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} ({self.complex or 'platform'}) at {self.failed_at:%Y-%m-%d %H:%M}"
