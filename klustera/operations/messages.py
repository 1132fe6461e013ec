"""Messages about the guards' work: a patrol round's checkpoints missed (to the guards on
duty at once, to the managers after quiet hours); a major or critical incident (to the
managers at once); the month's incidents summed up."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category, Channel

_MISSED_BODY = {
    "id": "Patroli {route} pukul {when}: titik belum dipindai: {checkpoints}. {link}",
    "en": "Patrol {route} at {when}: checkpoints not scanned: {checkpoints}. {link}",
}

MESSAGES = [
    MessageTemplate(
        key="task_assigned",
        category=Category.COMPLAINTS,  # the work of the complex, as tickets are
        params=("title", "due", "link"),
        subject={"id": "Tugas baru: {title}", "en": "New task: {title}"},
        body={
            "id": "Tugas baru untuk Anda: {title}, selesai sebelum {due}. {link}",
            "en": "A new task for you: {title}, due by {due}. {link}",
        },
        default_channels=(Channel.PUSH, Channel.WHATSAPP),
    ),
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
    MessageTemplate(
        key="incident_urgent",
        category=Category.SECURITY,
        urgent=True,
        params=("severity", "kind", "where", "when", "link"),
        subject={"id": "Kejadian {severity}: {kind}", "en": "{severity} incident: {kind}"},
        body={
            "id": "Kejadian {severity}: {kind} di {where}, {when}. Tindak lanjuti: {link}",
            "en": "{severity} incident: {kind} at {where}, {when}. Follow it up: {link}",
        },
        default_channels=(Channel.WHATSAPP, Channel.PUSH),
    ),
    MessageTemplate(
        key="incident_summary",
        category=Category.SECURITY,
        params=("month", "total", "urgent", "open", "link"),
        subject={"id": "Ringkasan kejadian {month}", "en": "Incidents of {month}"},
        body={
            "id": "{month}: {total} kejadian, {urgent} berat atau kritis, {open} belum ditutup. "
            "{link}",
            "en": "{month}: {total} incidents, {urgent} major or critical, {open} not closed. "
            "{link}",
        },
    ),
]
