"""The catalogue of every message Klustera sends, in Indonesian and English.

Each template names its category, whether it is urgent (urgent messages
ignore quiet hours), its parameters in order (the order of the approved
WhatsApp template's ``{{1}}, {{2}} …``), which of them are secret, and the
texts. Money and dates in the context are formatted for the recipient.
"""

from __future__ import annotations

from collections.abc import Callable
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
    Category.COMPLAINTS: (Channel.WHATSAPP, Channel.PUSH),
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


# Every app declares its messages in its ``messages.py`` and registers them when it is ready.
TEMPLATES: dict[str, MessageTemplate] = {}

# Reasons to hold back a category of messages from a user, given by the apps above
# (privacy: the person objected to community messages, or restricted processing). Each takes
# the user's id and the category and returns the reason shown as "not sent", or "".
HOLDS: list[Callable[[int, str], str]] = []


def register_hold(check: Callable[[int, str], str]) -> None:
    if check not in HOLDS:
        HOLDS.append(check)


def held_back(user_id: int, category: str) -> str:
    """Why messages of ``category`` must not reach the user, or ""."""
    for check in HOLDS:
        if reason := check(user_id, category):
            return reason
    return ""


def subject_of(key: str, values: dict[str, str], language: str) -> str:
    """A stored message's subject in ``language`` (its key if it can no longer be rendered)."""
    spec = TEMPLATES.get(key)
    try:
        return spec.render(values, language)[0] if spec else key
    except (KeyError, IndexError):
        return key


def text_of(key: str, values: dict[str, str], language: str) -> tuple[str, str]:
    """A stored message's subject and text as the inbox shows them: the link is the entry's own."""
    spec = TEMPLATES.get(key)
    try:
        if spec is None:
            return key, ""
        subject, body = spec.render({**values, "link": ""}, language)
    except (KeyError, IndexError):
        return key, ""
    return subject, body.strip()


def register(*templates: MessageTemplate) -> None:
    """Add an app's message templates to the catalogue; a key is declared once."""
    for template in templates:
        if TEMPLATES.get(template.key, template) != template:
            raise ValueError(f"Message template {template.key!r} is declared twice")
        TEMPLATES[template.key] = template
