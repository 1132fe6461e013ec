"""Queueing a message: the recipient's channels and addresses, their consent, quiet hours."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_noop

from klustera.crypto import encrypt
from klustera.notifications.catalogue import TEMPLATES, MessageTemplate, held_back
from klustera.notifications.models import (
    REDACTED,
    Channel,
    Consent,
    Message,
    NotificationSettings,
    Preference,
)
from klustera.notifications.services.configuration import (
    SECRET_PURPOSE,
    notification_settings,
)
from klustera.phones import normalize_phone
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic

if TYPE_CHECKING:  # notifications sit below accounts: they name users, never import them
    from klustera.accounts.models import User


# Why a message was not sent, stored in English and shown in the reader's language.
NO_EMAIL = gettext_noop("no email address")
NO_PHONE = gettext_noop("no phone number")
NO_WHATSAPP_OPT_IN = gettext_noop("no WhatsApp opt-in recorded")
ACCOUNT_CLOSED = gettext_noop("the account is closed")


class NotificationError(Exception):
    """A notification request that cannot be honoured (shown to the caller)."""


def task_for(channel: str) -> str:
    """Email and SMS have queues of their own; WhatsApp and push share the notifications queue."""
    name = {"email": "deliver_email", "sms": "deliver_sms"}.get(channel, "deliver_notification")
    return f"klustera.notifications.tasks.{name}"


@dataclass(frozen=True)
class Address:
    """A recipient who is not (yet) a user: a guest, an invited resident."""

    name: str
    phone: str = ""
    email: str = ""
    language: str = "id"
    whatsapp_opt_in: bool = False


def notify(
    *,
    recipient: User | Address,
    template: str,
    context: dict[str, Any],
    channels: Iterable[str] | None = None,
    about: str = "",
) -> list[Message]:
    """Queue ``template`` for ``recipient`` on each channel, inside the caller's transaction.

    Guarantees: one outbox row per channel and address, written atomically
    with the caller's work and sent only after it commits; a channel the
    recipient has not opted into (WhatsApp) or has no address for is recorded
    as not sent, with the reason; secret parameters are stored only encrypted;
    non-urgent messages wait for the end of the complex's quiet hours. A
    user also finds every message in their in-app inbox: that copy is
    delivered at once, whatever the channels did (one holding a secret, a
    one-time code, stays out of the inbox); it is not among the rows
    returned, which are the channels'. ``about`` names the subject
    (``"poll:3"``) for read receipts.
    """
    spec = TEMPLATES.get(template)
    if spec is None:
        raise NotificationError(f"Unknown message template '{template}'.")
    if isinstance(recipient, Address) and recipient.phone:
        try:
            recipient = replace(recipient, phone=normalize_phone(recipient.phone))
        except ValidationError as exc:
            raise NotificationError(
                f"'{recipient.phone}' is not a phone number we can message."
            ) from exc
    language = recipient.language if recipient.language in ("id", "en") else "id"
    values = spec.display(context, language)
    secrets = {name: values[name] for name in spec.secret_params}
    stored = {name: REDACTED if name in secrets else value for name, value in values.items()}
    cipher = encrypt(json.dumps(secrets), purpose=SECRET_PURPOSE) if secrets else ""
    chosen = [
        channel
        for channel in dict.fromkeys(channels or _preferred_channels(recipient, spec))
        if channel != Channel.INBOX
    ]
    now = timezone.now()
    due = now if spec.urgent else _after_quiet_hours(now, notification_settings())
    if isinstance(recipient, Address):
        held = ""
    else:  # a deactivated or anonymised account is reached by nothing
        held = ACCOUNT_CLOSED if not recipient.is_active else held_back(recipient.pk, spec.category)

    rows = []
    for channel in chosen:
        for address, no_address in _addresses(recipient, channel):
            skip_reason = held or no_address
            rows.append(
                Message(
                    recipient=recipient if not isinstance(recipient, Address) else None,
                    to_name=recipient.name,
                    to_address=address,
                    channel=channel,
                    category=spec.category,
                    template=spec.key,
                    language=language,
                    context=stored,
                    secret_ciphertext="" if skip_reason else cipher,
                    status=Message.Status.SKIPPED if skip_reason else Message.Status.QUEUED,
                    skip_reason=skip_reason,
                    next_attempt_at=due,
                    about=about,
                )
            )
    inbox = []
    if not isinstance(recipient, Address) and not secrets:
        inbox.append(
            Message(
                recipient=recipient,
                to_name=recipient.name,
                to_address=Channel.INBOX,
                channel=Channel.INBOX,
                category=spec.category,
                template=spec.key,
                language=language,
                context=stored,
                status=Message.Status.DELIVERED,
                provider=Channel.INBOX,
                next_attempt_at=now,
                sent_at=now,
                delivered_at=now,
                about=about,
            )
        )
    with tenant_atomic():
        Message.objects.bulk_create(rows + inbox)
        for row in rows:
            if row.status == Message.Status.QUEUED and row.next_attempt_at <= now:
                enqueue(task_for(row.channel), row.pk)
    return rows


def _preferred_channels(recipient: User | Address, spec: MessageTemplate) -> list[str]:
    if not isinstance(recipient, Address):
        chosen = (
            Preference.objects.filter(user=recipient, category=spec.category)
            .values_list("channels", flat=True)
            .first()
        )
        if chosen is not None:
            return list(chosen)
    return list(spec.default_channels)


def _addresses(recipient: User | Address, channel: str) -> list[tuple[str, str]]:
    """(address, reason it is not sent) pairs for one channel."""
    if channel == Channel.PUSH:
        if isinstance(recipient, Address):
            return []
        return [
            (f"push:{pk}", "") for pk in recipient.push_subscriptions.values_list("pk", flat=True)
        ]
    if channel == Channel.EMAIL:
        return [(recipient.email, "")] if recipient.email else [("", NO_EMAIL)]
    if channel not in (Channel.WHATSAPP, Channel.SMS):
        raise NotificationError(f"Unknown channel '{channel}'.")
    if not recipient.phone:
        return [("", NO_PHONE)]
    if channel == Channel.WHATSAPP and not _has_whatsapp_opt_in(recipient):
        return [(recipient.phone, NO_WHATSAPP_OPT_IN)]
    return [(recipient.phone, "")]


def _has_whatsapp_opt_in(recipient: User | Address) -> bool:
    if isinstance(recipient, Address):
        return recipient.whatsapp_opt_in
    return Consent.objects.filter(
        user=recipient, channel=Channel.WHATSAPP, revoked_at__isnull=True
    ).exists()


def _after_quiet_hours(now: datetime, config: NotificationSettings) -> datetime:
    """``now``, or the end of the quiet hours (in the complex's time zone) if inside them."""
    start, end = config.quiet_start, config.quiet_end
    local = timezone.localtime(now)
    moment = local.time()
    if start == end:
        return now
    quiet = (start <= moment < end) if start < end else (moment >= start or moment < end)
    if not quiet:
        return now
    wake = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake


def send_test_message(*, user: User, channel: str) -> Message:
    """Send the test message to the manager's own phone or email on one channel."""
    tenant = current_tenant()
    address = Address(
        name=user.name,
        phone=user.phone,
        email=user.email,
        language=user.language,
        whatsapp_opt_in=True,
    )
    rows = notify(
        recipient=address,
        template="test",
        context={"complex": tenant.name if tenant else ""},
        channels=[channel],
    )
    if not rows:
        raise NotificationError("Nothing to send on this channel.")
    return rows[0]
