"""What the pages read about a user's messages: their consent and their channels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from klustera.notifications.catalogue import CATEGORY_DEFAULTS
from klustera.notifications.models import (
    Channel,
    Consent,
    Message,
    Preference,
    PushSubscription,
)

if TYPE_CHECKING:  # notifications sit below accounts: they name users, never import them
    from klustera.accounts.models import User

# The channels a person chooses per category (SMS carries sign-in codes only).
CHOOSABLE = (Channel.WHATSAPP, Channel.EMAIL, Channel.PUSH)


def whatsapp_consent(user: User) -> Consent | None:
    """The user's recorded WhatsApp answer (granted or revoked), or None if never asked."""
    return Consent.objects.filter(user=user, channel=Channel.WHATSAPP).first()


def channels_chosen(user: User) -> dict[str, list[str]]:
    """Per category, the channels the user chose, or the defaults where they chose nothing."""
    chosen = dict(Preference.objects.filter(user=user).values_list("category", "channels"))
    return {
        category: [c for c in chosen.get(category, defaults) if c in CHOOSABLE]
        for category, defaults in CATEGORY_DEFAULTS.items()
    }


def opted_in_to_whatsapp(user_ids: Iterable[int]) -> set[int]:
    return set(
        Consent.objects.filter(
            user_id__in=list(user_ids), channel=Channel.WHATSAPP, revoked_at__isnull=True
        ).values_list("user_id", flat=True)
    )


def with_push(user_ids: Iterable[int]) -> set[int]:
    return set(
        PushSubscription.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", flat=True
        )
    )


def inbox_of(user: User, *, unread: bool = False) -> QuerySet[Message]:
    """The user's in-app inbox, newest first (only the unread with ``unread``)."""
    entries = Message.objects.filter(recipient=user, channel=Channel.INBOX)
    return entries.filter(read_at__isnull=True) if unread else entries


def unread_count(user: User) -> int:
    """What the bell shows: one indexed count."""
    return inbox_of(user, unread=True).count()


def outbox_rows(**filters: str) -> QuerySet[Message]:
    """The managers' outbox: what went out on a channel. The inbox's copies of the same
    messages (always delivered) are left out unless ``channel="inbox"`` asks for them."""
    rows = Message.objects.filter(**{name: value for name, value in filters.items() if value})
    return rows if filters.get("channel") else rows.exclude(channel=Channel.INBOX)
