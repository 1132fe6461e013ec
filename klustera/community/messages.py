"""Messages of the community: announcements."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category

MESSAGES = [
    MessageTemplate(
        key="announcement",
        category=Category.COMMUNITY,
        params=("complex", "title", "body", "link"),
        subject={"id": "{complex}: {title}", "en": "{complex}: {title}"},
        body={
            "id": "Pengumuman {complex}\n{title}\n\n{body}\n\n{link}",
            "en": "Announcement from {complex}\n{title}\n\n{body}\n\n{link}",
        },
    ),
]
