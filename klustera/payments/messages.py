"""Messages of payments: a payment received, and what waits for a manager's review."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category, Channel

MESSAGES = [
    MessageTemplate(
        key="payment_received",
        category=Category.BILLING,
        params=("name", "amount", "unit", "reference", "link"),
        subject={"id": "Pembayaran diterima", "en": "Payment received"},
        body={
            "id": "Terima kasih {name}, pembayaran {amount} untuk unit {unit} telah kami "
            "terima (ref. {reference}). Kuitansi: {link}",
            "en": "Thank you {name}, we received your payment of {amount} for unit {unit} "
            "(ref. {reference}). Receipt: {link}",
        },
    ),
    MessageTemplate(
        key="payments_review",
        category=Category.BILLING,
        params=("complex", "mismatches", "proofs", "link"),
        default_channels=(Channel.EMAIL, Channel.WHATSAPP),
        subject={
            "id": "Pembayaran perlu diperiksa di {complex}",
            "en": "Payments to review at {complex}",
        },
        body={
            "id": "{complex}: {mismatches} pembayaran online dengan nominal tidak sesuai dan "
            "{proofs} bukti transfer menunggu pemeriksaan Anda: {link}",
            "en": "{complex}: {mismatches} online payments with an unexpected amount and "
            "{proofs} transfer proofs are waiting for your review: {link}",
        },
    ),
]
