"""Messages of privacy: a person's data is ready, their request answered; managers told."""

from __future__ import annotations

from klustera.notifications.catalogue import MessageTemplate
from klustera.notifications.models import Category

MESSAGES = [
    MessageTemplate(
        key="data_export_ready",
        category=Category.SECURITY,
        params=("until", "link"),
        subject={"id": "Salinan data Anda siap", "en": "Your copy of your data is ready"},
        body={
            "id": "Salinan data pribadi Anda siap diunduh sampai {until}: {link}",
            "en": "Your copy of your personal data can be downloaded until {until}: {link}",
        },
    ),
    MessageTemplate(
        key="data_request_answered",
        category=Category.SECURITY,
        params=("kind", "status", "outcome", "link"),
        subject={"id": "Permintaan data Anda: {status}", "en": "Your data request: {status}"},
        body={
            "id": "Permintaan Anda ({kind}) {status}. {outcome} Lihat: {link}",
            "en": "Your request ({kind}) is {status}. {outcome} See: {link}",
        },
    ),
    MessageTemplate(
        key="data_request_received",
        category=Category.SECURITY,
        params=("kind", "due", "link"),
        subject={"id": "Permintaan data pribadi baru", "en": "A new personal-data request"},
        body={
            "id": "Permintaan baru ({kind}) harus dijawab sebelum {due} (UU PDP). Buka: {link}",
            "en": "A new request ({kind}) must be answered by {due} (UU PDP). Open: {link}",
        },
    ),
    MessageTemplate(
        key="breach_notice",
        category=Category.SECURITY,
        urgent=True,
        params=("complex", "what", "categories", "remedy", "link"),
        subject={
            "id": "{complex}: pemberitahuan kebocoran data pribadi",
            "en": "{complex}: notice of a personal-data breach",
        },
        body={
            "id": "Pemberitahuan dari {complex} (UU PDP pasal 46): {what} Data yang terdampak: "
            "{categories}. Yang sudah kami lakukan: {remedy} Pertanyaan: {link}",
            "en": "Notice from {complex} (UU PDP art. 46): {what} Data affected: {categories}. "
            "What we did: {remedy} Questions: {link}",
        },
    ),
]
