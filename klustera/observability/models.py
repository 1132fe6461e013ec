"""What the operators' console keeps of the queues' work (platform database)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.timestamps import Timestamped


class FailedTask(Timestamped):
    """A task that failed its last attempt (``created_at``): what it was, for whom, why — and
    the task itself (Huey's serialized message), so an operator can run it again."""

    queue = models.CharField(_("queue"), max_length=20)
    task = models.CharField(_("task"), max_length=200)  # its dotted name
    complex = models.CharField(_("complex"), max_length=63, blank=True)  # empty: platform work
    error = models.CharField(_("error"), max_length=400)  # type and scrubbed message
    message = models.BinaryField()
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], name="failedtask_created")]

    def __str__(self) -> str:
        return f"{self.task} ({self.complex or 'platform'}) at {self.created_at:%Y-%m-%d %H:%M}"
