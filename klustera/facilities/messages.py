"""Messages about bookings: confirmed, waiting for the manager, declined, cancelled, coming
up, or paid after the hold ended."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category

MESSAGES = [
    MessageTemplate(
        key="booking_confirmed",
        category=Category.COMMUNITY,
        params=("facility", "when", "link"),
        subject={"id": "Booking {facility} terkonfirmasi", "en": "{facility} booking confirmed"},
        body={
            "id": "Booking {facility} Anda pada {when} terkonfirmasi. Detail dan kalender: {link}",
            "en": "Your {facility} booking on {when} is confirmed. Details and calendar: {link}",
        },
    ),
    MessageTemplate(
        key="booking_needs_approval",
        category=Category.COMMUNITY,
        params=("facility", "when", "unit", "link"),
        subject={
            "id": "Booking {facility} menunggu persetujuan",
            "en": "{facility} booking to approve",
        },
        body={
            "id": "Unit {unit} memesan {facility} pada {when}. Setujui atau tolak: {link}",
            "en": "Unit {unit} booked {facility} on {when}. Approve or decline: {link}",
        },
    ),
    MessageTemplate(
        key="booking_declined",
        category=Category.COMMUNITY,
        params=("facility", "when", "reason", "link"),
        subject={"id": "Booking {facility} ditolak", "en": "{facility} booking declined"},
        body={
            "id": "Booking {facility} pada {when} ditolak: {reason}. Yang sudah dibayar menjadi "
            "saldo unit Anda. {link}",
            "en": "Your {facility} booking on {when} was declined: {reason}. What you paid is "
            "your unit's credit. {link}",
        },
    ),
    MessageTemplate(
        key="booking_cancelled",
        category=Category.COMMUNITY,
        params=("facility", "when", "reason", "link"),
        subject={"id": "Booking {facility} dibatalkan", "en": "{facility} booking cancelled"},
        body={
            "id": "Pengelola membatalkan booking {facility} pada {when}: {reason}. Yang sudah "
            "dibayar menjadi saldo unit Anda. {link}",
            "en": "The management cancelled your {facility} booking on {when}: {reason}. What "
            "you paid is your unit's credit. {link}",
        },
    ),
    MessageTemplate(
        key="booking_reminder",
        category=Category.COMMUNITY,
        params=("facility", "when", "link"),
        subject={"id": "Pengingat: {facility}", "en": "Reminder: {facility}"},
        body={
            "id": "Pengingat: booking {facility} Anda pada {when}. {link}",
            "en": "Reminder: your {facility} booking on {when}. {link}",
        },
    ),
    MessageTemplate(
        key="booking_paid_late",
        category=Category.BILLING,
        params=("facility", "when", "amount", "link"),
        subject={"id": "Pembayaran booking terlambat", "en": "Booking paid too late"},
        body={
            "id": "Pembayaran {amount} untuk {facility} ({when}) tiba setelah waktu tahan habis. "
            "Booking tidak dipulihkan; uangnya menjadi saldo unit. {link}",
            "en": "The payment of {amount} for {facility} ({when}) arrived after the hold "
            "ended. The booking was not kept; the money is the unit's credit. {link}",
        },
    ),
]
