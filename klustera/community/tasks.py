"""Sending an announcement: a thin wrapper over the service, on the notifications queue."""

from __future__ import annotations

from klustera.community import services
from klustera.community.models import Announcement
from klustera.tasks import tenant_task


@tenant_task("notifications")
def send_announcement(announcement_id: int) -> int:
    announcement = Announcement.objects.get(pk=announcement_id)
    return services.send_announcement_now(announcement=announcement)
