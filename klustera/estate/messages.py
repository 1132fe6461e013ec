"""Messages of the estate: the invitation to join a complex."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category, Channel

MESSAGES = [
    MessageTemplate(
        key="invitation",
        category=Category.SECURITY,
        params=("name", "complex", "unit", "code", "link"),
        secret_params=frozenset({"code"}),
        default_channels=(Channel.WHATSAPP, Channel.EMAIL),
        subject={"id": "Undangan bergabung ke {complex}", "en": "Invitation to join {complex}"},
        body={
            "id": "Halo {name}, Anda diundang bergabung dengan {complex} untuk unit {unit}. "
            "Kode undangan Anda: {code}. Daftar di {link}",
            "en": "Hello {name}, you are invited to join {complex} for unit {unit}. "
            "Your invitation code: {code}. Register at {link}",
        },
    ),
]
