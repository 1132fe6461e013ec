"""Messages about the guards' work: a patrol round's checkpoints missed (to the guards on
duty at once, to the managers after quiet hours)."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category, Channel

_MISSED_BODY = {
    "id": "Patroli {route} pukul {when}: titik belum dipindai: {checkpoints}. {link}",
    "en": "Patrol {route} at {when}: checkpoints not scanned: {checkpoints}. {link}",
}

MESSAGES = [
    MessageTemplate(
        key="patrol_missed_on_duty",
        category=Category.SECURITY,
        urgent=True,
        params=("route", "when", "checkpoints", "link"),
        subject={"id": "Titik patroli terlewat", "en": "Patrol checkpoints missed"},
        body=_MISSED_BODY,
        default_channels=(Channel.WHATSAPP, Channel.PUSH),
    ),
    MessageTemplate(
        key="patrol_missed",
        category=Category.SECURITY,
        params=("route", "when", "checkpoints", "link"),
        subject={"id": "Titik patroli terlewat", "en": "Patrol checkpoints missed"},
        body=_MISSED_BODY,
    ),
]
