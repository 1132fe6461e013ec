"""The community: announcements from the management to the residents."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from klustera.timestamps import Timestamped


class Announcement(Timestamped):
    """A notice to every resident of the complex, or to one block's."""

    title = models.CharField(max_length=150)
    body = models.TextField(max_length=4000)
    block = models.CharField(max_length=20, blank=True)  # "" = the whole complex
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(db_index=True)
    send = models.BooleanField(default=True)  # also by WhatsApp, push and email
    recipients = models.PositiveIntegerField(null=True, blank=True)  # None: not sent yet

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return self.title
