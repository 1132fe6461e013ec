"""The notification system's own message: a test a manager sends to check a channel."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category

MESSAGES = [
    MessageTemplate(
        key="test",
        category=Category.SECURITY,
        urgent=True,
        params=("complex",),
        subject={"id": "Pesan uji dari {complex}", "en": "Test message from {complex}"},
        body={
            "id": "Ini pesan uji dari {complex}. Saluran ini berfungsi.",
            "en": "This is a test message from {complex}. This channel works.",
        },
    ),
]
