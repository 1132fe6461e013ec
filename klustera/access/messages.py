"""Messages of the gate: guest codes, alerts, walk-in approvals and parcels."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category, Channel

MESSAGES = [
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
        params=("complex", "gate", "failures", "minutes", "link"),
        default_channels=(Channel.WHATSAPP, Channel.PUSH, Channel.EMAIL),
        subject={"id": "Peringatan gerbang {gate}", "en": "Gate alert, {gate}"},
        body={
            "id": "{complex}: {failures} verifikasi gagal di {gate}. Gerbang dan perangkat "
            "penjaga dikunci {minutes} menit. Periksa log akses: {link}",
            "en": "{complex}: {failures} failed verifications at {gate}. The gate and the "
            "guard's device are locked for {minutes} minutes. Check the access log: {link}",
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
]
