"""Messages of accounts: the sign-in code."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category, Channel

MESSAGES = [
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
]
