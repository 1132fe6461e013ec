"""A user's choices: consent per channel, channels per category, push subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.errors import StateConflict
from klustera.notifications import clients
from klustera.notifications.models import (
    Channel,
    Consent,
    Preference,
    PushSubscription,
)
from klustera.notifications.services.queueing import NotificationError
from klustera.notifications.signals import consent_changed
from klustera.tenancy.context import tenant_atomic

if TYPE_CHECKING:  # notifications sit below accounts: they name users, never import them
    from klustera.accounts.models import User


def set_consent(*, user: User, channel: str, granted: bool, method: str) -> Consent:
    """Record that ``user`` opted in to (or out of) ``channel``, with how and when."""
    now = timezone.now()
    with tenant_atomic():
        consent, _created = Consent.objects.select_for_update().get_or_create(
            user=user, channel=channel, defaults={"method": method, "granted_at": now}
        )
        if granted:
            consent.method, consent.granted_at, consent.revoked_at = method, now, None
        else:
            consent.revoked_at = consent.revoked_at or now
        consent.save()
        consent_changed.send(
            sender=Consent, user=user, channel=channel, granted=granted, method=method
        )
    return consent


def set_preferences(*, user: User, choices: dict[str, list[str]]) -> None:
    """Replace the user's channel choices for the given categories."""
    with tenant_atomic():
        for category, channels in choices.items():
            Preference.objects.update_or_create(
                user=user, category=category, defaults={"channels": list(dict.fromkeys(channels))}
            )


def update_choices(*, user: User, whatsapp: bool, choices: dict[str, list[str]]) -> None:
    """A user's own settings page: the WhatsApp opt-in and the channels per category, together."""
    with tenant_atomic():
        granted = Consent.objects.filter(
            user=user, channel=Channel.WHATSAPP, revoked_at__isnull=True
        ).exists()
        if whatsapp != granted:
            set_consent(
                user=user,
                channel=Channel.WHATSAPP,
                granted=whatsapp,
                method=Consent.Method.APP_SETTING,
            )
        set_preferences(user=user, choices=choices)


def subscribe_push(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Remember a browser's push subscription for ``user``; its keys are renewed if seen before.

    An endpoint registered by another user stays theirs: it is refused with a
    conflict, so nobody can take over someone else's notifications.
    """
    if not clients.push_host_allowed(endpoint):
        raise NotificationError("This push endpoint is not a known browser push service.")
    keys = {"p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]}
    with tenant_atomic():
        subscription, created = PushSubscription.objects.select_for_update().get_or_create(
            endpoint=endpoint, defaults={"user": user, **keys}
        )
        if created:
            return subscription
        if subscription.user_id != user.pk:
            raise StateConflict(
                _("This browser is already subscribed for another account."),
                code="push_endpoint_taken",
            )
        PushSubscription.objects.filter(pk=subscription.pk).update(**keys)
    return subscription
