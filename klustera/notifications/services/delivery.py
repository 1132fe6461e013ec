"""Delivering queued messages: one lease per message, retries with backoff, a resend."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from klustera.audit.services import record
from klustera.crypto import decrypt
from klustera.notifications import clients
from klustera.notifications.catalogue import TEMPLATES
from klustera.notifications.models import (
    REDACTED,
    Channel,
    Message,
    NotificationSettings,
    PushSubscription,
    WhatsAppWindow,
)
from klustera.notifications.services.configuration import (
    SECRET_PURPOSE,
    notification_settings,
    provider_token,
)
from klustera.notifications.services.queueing import NotificationError, task_for
from klustera.observability.metrics import OUTBOX
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12
FINAL = (
    Message.Status.SENT,
    Message.Status.DELIVERED,
    Message.Status.READ,
    Message.Status.FAILED,
    Message.Status.SKIPPED,
)

logger = logging.getLogger(__name__)

if TYPE_CHECKING:  # notifications sit below accounts: they name users, never import them
    from klustera.accounts.models import User


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour: 12 attempts span about seven hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver(*, message_id: int) -> str:
    """Send one queued message if it is due; returns the resulting status.

    Only one worker can hold a message: it is claimed with a conditional
    update that sets a lease. Transient provider failures are retried with
    backoff, up to ``MAX_ATTEMPTS``; permanent ones fail at once.
    """
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, status=Message.Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Message.Status.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return "not-due"
    message = Message.objects.get(pk=message_id)
    try:
        provider, provider_id = _send(message)
    except clients.ProviderError as exc:
        return _record_failure(message, exc)
    except Exception as exc:  # a bug must not leave the message leased forever
        logger.exception("Sending message %s failed unexpectedly", message.pk)
        return _record_failure(message, clients.ProviderError(str(exc), transient=True))
    Message.objects.filter(pk=message.pk).update(
        provider=provider, provider_message_id=provider_id, secret_ciphertext="", error=""
    )
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=Message.Status.SENT, sent_at=timezone.now(), lease_until=None
    )
    OUTBOX.labels(message.channel, provider, Message.Status.SENT).inc()
    return Message.Status.SENT


def _record_failure(message: Message, exc: clients.ProviderError) -> str:
    outcome = _fail(message, exc)
    OUTBOX.labels(message.channel, exc.provider or "unknown", outcome).inc()
    return outcome


def _fail(message: Message, exc: clients.ProviderError) -> str:
    now = timezone.now()
    if message.channel == Channel.PUSH and exc.status in (404, 410):
        PushSubscription.objects.filter(pk=message.to_address.removeprefix("push:")).delete()
    if exc.transient and message.attempts < MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED,
            next_attempt_at=now + backoff(message.attempts),
            lease_until=None,
            error=str(exc)[:2000],
        )
        return Message.Status.QUEUED
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=Message.Status.FAILED, lease_until=None, error=str(exc)[:2000], secret_ciphertext=""
    )
    return Message.Status.FAILED


def _values_with_secrets(message: Message) -> dict[str, str]:
    values = dict(message.context)
    if message.secret_ciphertext:
        values.update(json.loads(decrypt(message.secret_ciphertext, purpose=SECRET_PURPOSE)))
    if REDACTED in values.values():
        raise clients.ProviderError("the one-time secret of this message is gone", transient=False)
    return values


def _send(message: Message) -> tuple[str, str]:
    spec = TEMPLATES[message.template]
    values = _values_with_secrets(message)
    subject, text = spec.render(values, message.language)
    config = notification_settings()
    key = str(message.idempotency_key)

    if message.channel == Channel.WHATSAPP:
        if config.whatsapp_provider == NotificationSettings.WhatsAppProvider.META_CLOUD:
            client = clients.WhatsAppCloudClient(
                config.whatsapp_phone_number_id, provider_token(config.whatsapp_access_token)
            )
            if _window_open(message.to_address):
                return _through(
                    "meta_cloud",
                    lambda: client.send_text(to=message.to_address, body=text, callback_data=key),
                )
            params = [values[name] for name in spec.params]
            return _through(
                "meta_cloud",
                lambda: client.send_template(
                    to=message.to_address,
                    name=spec.whatsapp_name,
                    language=message.language,
                    params=params,
                    callback_data=key,
                ),
            )
        if config.whatsapp_provider == NotificationSettings.WhatsAppProvider.FONNTE:
            fonnte = clients.FonnteClient(provider_token(config.fonnte_token))
            return _through("fonnte", lambda: fonnte.send(to=message.to_address, body=text))
        return "console", _console(message, text)

    if message.channel == Channel.SMS:
        if config.sms_provider == NotificationSettings.SmsProvider.TWILIO:
            sms = clients.TwilioSmsClient(
                config.twilio_account_sid,
                provider_token(config.twilio_auth_token),
                config.twilio_from,
            )
            callback = tenant_url("twilio-status")
            return _through(
                "twilio",
                lambda: sms.send(to=message.to_address, body=text, status_callback=callback),
            )
        return "console", _console(message, text)

    if message.channel == Channel.EMAIL:
        tenant = current_tenant()
        html = render_to_string(
            "notifications/email.html",
            {"subject": subject, "paragraphs": text.split("\n"), "complex": tenant},
        )
        return _through(
            "email",
            lambda: clients.send_email(
                to=message.to_address,
                subject=subject,
                text=text,
                html=html,
                sender=config.email_from,
                idempotency_key=key,
            ),
        )

    subscription = PushSubscription.objects.filter(
        pk=message.to_address.removeprefix("push:")
    ).first()
    if subscription is None:
        raise clients.ProviderError(
            "the push subscription was removed", transient=False, provider="webpush"
        )
    return _through(
        "webpush",
        lambda: clients.send_push(
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            # the page a click opens (the message's own link, else the service worker's scope)
            payload={
                "title": subject,
                "body": text,
                "tag": message.template,
                "url": str(message.context.get("link", "")),
            },
            topic=message.idempotency_key.hex,
            urgent=spec.urgent,
        ),
    )


def _through(provider: str, send: Callable[[], str]) -> tuple[str, str]:
    """Send through ``provider``; a failure names it, for the outbox's metrics."""
    try:
        return provider, send()
    except clients.ProviderError as exc:
        exc.provider = provider
        raise


def _console(message: Message, text: str) -> str:
    # The embedded default: the message goes to the log (codes included, for local logins).
    logger.warning("[%s to %s] %s", message.channel, message.to_address, text)
    return ""


def _window_open(phone: str) -> bool:
    since = timezone.now() - timedelta(hours=24)
    return WhatsAppWindow.objects.filter(phone=phone, last_inbound_at__gt=since).exists()


def sweep(*, limit: int = 1000) -> int:
    """Requeue messages whose worker died mid-send, then enqueue every message now due.

    A message whose lease ran out may or may not have reached the provider;
    it is sent again (at least once, never lost). A WhatsApp status webhook
    carrying its idempotency key, if one arrived meanwhile, has already
    marked it sent and it is left alone. Returns how many were enqueued.
    """
    now = timezone.now()
    Message.objects.filter(status=Message.Status.SENDING, lease_until__lt=now).update(
        status=Message.Status.QUEUED, lease_until=None, error="worker stopped while sending"
    )
    due = (
        Message.objects.filter(status=Message.Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "channel")[:limit]
    )
    for pk, channel in due:
        enqueue(task_for(channel), pk, on_commit=False)
    return len(due)


def resend(*, message: Message, actor: User) -> Message:
    """Queue a copy of a failed or unsent message as a new outbox row."""
    if message.status not in (Message.Status.FAILED, Message.Status.SKIPPED):
        raise NotificationError("Only failed or unsent messages can be sent again.")
    if REDACTED in message.context.values():
        raise NotificationError(
            "This message carried a one-time code; ask for a new code instead of resending."
        )
    if message.status == Message.Status.SKIPPED and message.skip_reason:
        raise NotificationError(f"It was not sent because of: {message.skip_reason}.")
    copy = Message(
        recipient=message.recipient,
        to_name=message.to_name,
        to_address=message.to_address,
        channel=message.channel,
        category=message.category,
        template=message.template,
        language=message.language,
        context=message.context,
        next_attempt_at=timezone.now(),
    )
    with tenant_atomic():
        copy.save()
        record(actor=actor, action="message.resent", target=message, copy=copy.pk)
        enqueue(task_for(copy.channel), copy.pk)
    return copy
