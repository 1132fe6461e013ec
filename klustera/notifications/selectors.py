"""What the pages read about a user's messages: their consent and their channels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from klustera.notifications.catalogue import CATEGORY_DEFAULTS
from klustera.notifications.models import Channel, Consent, Preference, PushSubscription

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
