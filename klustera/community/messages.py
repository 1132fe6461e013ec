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

_POLL = ("complex", "question", "closes", "link")

MESSAGES += [
    MessageTemplate(
        key="poll_opened",
        category=Category.COMMUNITY,
        params=_POLL,
        subject={"id": "{complex}: pemungutan suara dibuka", "en": "{complex}: a poll is open"},
        body={
            "id": "{complex} meminta suara Anda:\n{question}\n\nDitutup {closes}.\n{link}",
            "en": "{complex} asks for your vote:\n{question}\n\nCloses {closes}.\n{link}",
        },
    ),
    MessageTemplate(
        key="poll_reminder",
        category=Category.COMMUNITY,
        params=_POLL,
        subject={
            "id": "{complex}: Anda belum memberi suara",
            "en": "{complex}: you have not voted",
        },
        body={
            "id": "Suara unit Anda belum masuk:\n{question}\n\nDitutup {closes}.\n{link}",
            "en": "Your unit has not voted yet:\n{question}\n\nCloses {closes}.\n{link}",
        },
    ),
    MessageTemplate(
        key="poll_closed",
        category=Category.COMMUNITY,
        params=_POLL,
        subject={"id": "{complex}: hasil pemungutan suara", "en": "{complex}: poll results"},
        body={
            "id": "Pemungutan suara telah ditutup:\n{question}\n\nLihat hasilnya: {link}",
            "en": "The poll has closed:\n{question}\n\nSee the results: {link}",
        },
    ),
    MessageTemplate(
        key="poll_cancelled",
        category=Category.COMMUNITY,
        params=(*_POLL, "reason"),
        subject={"id": "{complex}: pemungutan suara dibatalkan", "en": "{complex}: poll cancelled"},
        body={
            "id": "Pemungutan suara dibatalkan:\n{question}\n\nAlasan: {reason}\n{link}",
            "en": "The poll is cancelled:\n{question}\n\nReason: {reason}\n{link}",
        },
    ),
]
