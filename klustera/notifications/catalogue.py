"""Every message Klustera sends, in Indonesian and English.

Each template names its category, whether it is urgent (urgent messages
ignore quiet hours), its parameters in order (the order of the approved
WhatsApp template's ``{{1}}, {{2}} …``), which of them are secret, and the
texts. Money and dates in the context are formatted for the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from klustera.formatting import rupiah, short_date
from klustera.notifications.models import Category, Channel

LANGUAGES = ("id", "en")
# What a user who chose nothing gets, per category (a template may narrow it: OTP is WhatsApp only).
CATEGORY_DEFAULTS: dict[str, tuple[str, ...]] = {
    Category.BILLING: (Channel.WHATSAPP, Channel.EMAIL, Channel.PUSH),
    Category.SECURITY: (Channel.WHATSAPP, Channel.PUSH),
    Category.COMMUNITY: (Channel.WHATSAPP, Channel.PUSH),
}


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    category: str
    params: tuple[str, ...]
    subject: dict[str, str]
    body: dict[str, str]
    urgent: bool = False
    secret_params: frozenset[str] = field(default_factory=frozenset)
    default_channels: tuple[str, ...] = (Channel.WHATSAPP, Channel.EMAIL, Channel.PUSH)

    @property
    def whatsapp_name(self) -> str:
        """The name of the approved WhatsApp template (one per language)."""
        return f"klustera_{self.key}"

    def display(self, context: dict[str, Any], language: str) -> dict[str, str]:
        """The parameters as the recipient reads them (Rupiah, dates in their language)."""
        missing = [name for name in self.params if name not in context]
        if missing:
            raise ValueError(f"Template {self.key} needs {', '.join(missing)}")
        return {name: _display(context[name], language) for name in self.params}

    def render(self, values: dict[str, str], language: str) -> tuple[str, str]:
        """The subject and the text in ``language`` from display values."""
        lang = language if language in LANGUAGES else "id"
        return self.subject[lang].format(**values), self.body[lang].format(**values)


def _display(value: Any, language: str) -> str:
    if isinstance(value, Decimal):
        return rupiah(value)
    if isinstance(value, date):
        return short_date(value, language)
    return str(value)


TEMPLATES: dict[str, MessageTemplate] = {
    t.key: t
    for t in [
        MessageTemplate(
            key="otp",
            category=Category.SECURITY,
            urgent=True,
            params=("code",),
            secret_params=frozenset({"code"}),
            default_channels=(Channel.WHATSAPP,),
            subject={"id": "Kode verifikasi Anda", "en": "Your verification code"},
            body={
                "id": "Kode verifikasi Klustera Anda: {code}. Berlaku 5 menit. "
                "Jangan berikan kode ini kepada siapa pun.",
                "en": "Your Klustera verification code is {code}. It is valid for 5 minutes. "
                "Never share it with anyone.",
            },
        ),
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
        MessageTemplate(
            key="invoice_issued",
            category=Category.BILLING,
            params=("name", "period", "unit", "amount", "due_date", "link"),
            subject={
                "id": "Tagihan IPL {period} unit {unit}",
                "en": "Service fee {period}, {unit}",
            },
            body={
                "id": "Halo {name}, tagihan IPL {period} untuk unit {unit} sebesar {amount} "
                "sudah terbit, jatuh tempo {due_date}. Lihat dan bayar: {link}",
                "en": "Hello {name}, the {period} service fee for unit {unit} of {amount} "
                "has been issued, due {due_date}. View and pay: {link}",
            },
        ),
        MessageTemplate(
            key="payment_reminder",
            category=Category.BILLING,
            params=("name", "unit", "amount", "due_date", "link"),
            subject={"id": "Pengingat pembayaran unit {unit}", "en": "Payment reminder, {unit}"},
            body={
                "id": "Halo {name}, tagihan unit {unit} sebesar {amount} jatuh tempo "
                "{due_date}. Bayar dengan QRIS, VA atau e-wallet: {link}",
                "en": "Hello {name}, the bill for unit {unit} of {amount} is due {due_date}. "
                "Pay by QRIS, virtual account or e-wallet: {link}",
            },
        ),
        MessageTemplate(
            key="payment_overdue",
            category=Category.BILLING,
            params=("name", "unit", "amount", "due_date", "link"),
            subject={"id": "Tagihan unit {unit} lewat jatuh tempo", "en": "Overdue bill, {unit}"},
            body={
                "id": "Halo {name}, tagihan unit {unit} sebesar {amount} telah lewat jatuh "
                "tempo {due_date}. Mohon segera dibayar agar tidak dikenai denda: {link}",
                "en": "Hello {name}, the bill for unit {unit} of {amount} was due {due_date}. "
                "Please pay it soon to avoid late fees: {link}",
            },
        ),
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
        MessageTemplate(
            key="guest_invitation",
            category=Category.SECURITY,
            params=("guest", "host", "complex", "window", "code"),
            secret_params=frozenset({"code"}),
            default_channels=(Channel.WHATSAPP,),
            subject={"id": "Undangan tamu ke {complex}", "en": "Guest pass for {complex}"},
            body={
                "id": "Halo {guest}, {host} mengundang Anda ke {complex} pada {window}. "
                "Tunjukkan kode {code} kepada petugas di gerbang.",
                "en": "Hello {guest}, {host} invited you to {complex} on {window}. "
                "Show the code {code} to the guard at the gate.",
            },
        ),
        MessageTemplate(
            key="gate_alert",
            category=Category.SECURITY,
            urgent=True,
            params=("complex", "gate", "failures", "minutes"),
            default_channels=(Channel.WHATSAPP, Channel.PUSH, Channel.EMAIL),
            subject={"id": "Peringatan gerbang {gate}", "en": "Gate alert, {gate}"},
            body={
                "id": "{complex}: {failures} verifikasi gagal di {gate}. Gerbang dan perangkat "
                "penjaga dikunci {minutes} menit. Periksa log akses.",
                "en": "{complex}: {failures} failed verifications at {gate}. The gate and the "
                "guard's device are locked for {minutes} minutes. Check the access log.",
            },
        ),
        MessageTemplate(
            key="walkin_approval",
            category=Category.SECURITY,
            urgent=True,
            params=("visitor", "purpose", "unit", "link"),
            default_channels=(Channel.PUSH, Channel.WHATSAPP),
            subject={"id": "Tamu menunggu di gerbang", "en": "A visitor is at the gate"},
            body={
                "id": "{visitor} menunggu di gerbang untuk unit {unit} ({purpose}). "
                "Izinkan atau tolak: {link}",
                "en": "{visitor} is waiting at the gate for unit {unit} ({purpose}). "
                "Allow or refuse: {link}",
            },
        ),
        MessageTemplate(
            key="parcel_arrived",
            category=Category.SECURITY,
            params=("recipient", "courier", "unit", "gate"),
            default_channels=(Channel.WHATSAPP, Channel.PUSH),
            subject={"id": "Paket untuk {recipient}", "en": "A parcel for {recipient}"},
            body={
                "id": "Paket {courier} untuk {recipient} (unit {unit}) diterima di {gate}. "
                "Silakan ambil di pos jaga.",
                "en": "A {courier} parcel for {recipient} (unit {unit}) was received at {gate}. "
                "Please collect it at the guard post.",
            },
        ),
        MessageTemplate(
            key="announcement",
            category=Category.COMMUNITY,
            params=("complex", "title", "body"),
            subject={"id": "{complex}: {title}", "en": "{complex}: {title}"},
            body={
                "id": "Pengumuman {complex}\n{title}\n\n{body}",
                "en": "Announcement from {complex}\n{title}\n\n{body}",
            },
        ),
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
}
