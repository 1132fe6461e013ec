"""Messages of the helpdesk: a complaint filed, assigned, moved on, or asked about."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category

MESSAGES = [
    MessageTemplate(
        key="ticket_filed",
        category=Category.COMPLAINTS,
        params=("number", "title", "where", "link"),
        subject={"id": "Keluhan baru #{number}", "en": "New complaint #{number}"},
        body={
            "id": "Keluhan baru #{number} ({where}): {title}. Tugaskan: {link}",
            "en": "New complaint #{number} ({where}): {title}. Assign it: {link}",
        },
    ),
    MessageTemplate(
        key="ticket_assigned",
        category=Category.COMPLAINTS,
        params=("number", "title", "due", "link"),
        subject={"id": "Tiket #{number} untuk Anda", "en": "Ticket #{number} is yours"},
        body={
            "id": "Tiket #{number} untuk Anda: {title}. Selesaikan sebelum {due}: {link}",
            "en": "Ticket #{number} is yours: {title}. Resolve it by {due}: {link}",
        },
    ),
    MessageTemplate(
        key="ticket_update",
        category=Category.COMPLAINTS,
        params=("number", "title", "status", "note", "link"),
        subject={"id": "Keluhan #{number}: {status}", "en": "Complaint #{number}: {status}"},
        body={
            "id": "Keluhan Anda #{number} ({title}) kini {status}. {note} Lihat: {link}",
            "en": "Your complaint #{number} ({title}) is now {status}. {note} See: {link}",
        },
    ),
    MessageTemplate(
        key="ticket_due_soon",
        category=Category.COMPLAINTS,
        params=("number", "title", "due", "link"),
        subject={"id": "Tiket #{number} segera jatuh tempo", "en": "Ticket #{number} due soon"},
        body={
            "id": "Tiket #{number} ({title}) harus selesai sebelum {due}. Lihat: {link}",
            "en": "Ticket #{number} ({title}) must be resolved by {due}. See: {link}",
        },
    ),
    MessageTemplate(
        key="ticket_breached",
        category=Category.COMPLAINTS,
        urgent=True,
        params=("number", "title", "assignee", "link"),
        subject={"id": "Tiket #{number} terlambat", "en": "Ticket #{number} is late"},
        body={
            "id": "Tiket #{number} ({title}) melewati target selesai. Petugas: {assignee}. "
            "Lihat: {link}",
            "en": "Ticket #{number} ({title}) is past its resolution target. With: {assignee}. "
            "See: {link}",
        },
    ),
    MessageTemplate(
        key="ticket_unanswered",
        category=Category.COMPLAINTS,
        urgent=True,
        params=("number", "title", "assignee", "link"),
        subject={
            "id": "Keluhan #{number} belum ditanggapi",
            "en": "Complaint #{number} unanswered",
        },
        body={
            "id": "Keluhan #{number} ({title}) melewati target tanggapan pertama tanpa jawaban. "
            "Petugas: {assignee}. Lihat: {link}",
            "en": "Complaint #{number} ({title}) is past its first-answer target with no answer. "
            "With: {assignee}. See: {link}",
        },
    ),
    MessageTemplate(
        key="ticket_question",
        category=Category.COMPLAINTS,
        params=("number", "title", "question", "link"),
        subject={"id": "Pertanyaan tentang keluhan #{number}", "en": "A question, #{number}"},
        body={
            "id": "Petugas bertanya tentang keluhan #{number} ({title}): {question} "
            "Jawab di: {link}",
            "en": "Staff ask about your complaint #{number} ({title}): {question} "
            "Answer at: {link}",
        },
    ),
]
