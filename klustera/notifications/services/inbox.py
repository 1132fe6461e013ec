"""The in-app inbox: a person marks what they have read, one by one, all at once, or by subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from klustera.notifications.models import Channel, Message

if TYPE_CHECKING:  # notifications sit below accounts: they name users, never import them
    from klustera.accounts.models import User


def _unread(user: User) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True)


def mark_read(*, user: User, message_id: int) -> bool:
    """Mark one of the user's inbox entries read; False if it is not theirs (or not there)."""
    mine = Message.objects.filter(pk=message_id, recipient=user, channel=Channel.INBOX)
    if not mine.exists():
        return False
    mine.filter(read_at__isnull=True).update(read_at=timezone.now(), status=Message.Status.READ)
    return True


def mark_all_read(*, user: User) -> int:
    """Mark every unread entry of the user's inbox read; returns how many were unread."""
    return _unread(user).update(read_at=timezone.now(), status=Message.Status.READ)


def mark_read_about(*, user: User, abouts: list[str]) -> int:
    """The user opened these subjects (``"announcement:12"``): their inbox entries are read."""
    if not abouts:
        return 0
    return (
        _unread(user)
        .filter(about__in=abouts)
        .update(read_at=timezone.now(), status=Message.Status.READ)
    )
