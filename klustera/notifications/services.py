"""Use cases of notifications: queueing messages, delivering them, and tracking them."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.audit.services import record
from klustera.crypto import decrypt, encrypt
from klustera.errors import StateConflict
from klustera.notifications import clients
from klustera.notifications.catalogue import TEMPLATES, MessageTemplate
from klustera.notifications.models import (
    Channel,
    Consent,
    Message,
    NotificationSettings,
    Preference,
    PushSubscription,
    WhatsAppWindow,
)
from klustera.phones import normalize_phone
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

if TYPE_CHECKING:  # notifications sit below accounts: they name users, never import them
    from klustera.accounts.models import User

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12
REDACTED = "••••••"
SECRET_PURPOSE = "notifications.secret"  # noqa: S105  (an encryption purpose)
TOKEN_PURPOSE = "notifications.provider-token"  # noqa: S105
FINAL = (
    Message.Status.SENT,
    Message.Status.DELIVERED,
    Message.Status.READ,
    Message.Status.FAILED,
    Message.Status.SKIPPED,
)
_RANK: dict[str, int] = {"sent": 1, "delivered": 2, "read": 3}


class NotificationError(Exception):
    """A notification request that cannot be honoured (shown to the caller)."""


@dataclass(frozen=True)
class Address:
    """A recipient who is not (yet) a user: a guest, an invited resident."""

    name: str
    phone: str = ""
    email: str = ""
    language: str = "id"
    whatsapp_opt_in: bool = False


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour: 12 attempts span about seven hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def notification_settings() -> NotificationSettings:
    return NotificationSettings.objects.get_or_create(pk=1)[0]


def _task_for(channel: str) -> str:
    """Email and SMS have queues of their own; WhatsApp and push share the notifications queue."""
    name = {"email": "deliver_email", "sms": "deliver_sms"}.get(channel, "deliver_notification")
    return f"klustera.notifications.tasks.{name}"


# --- Queueing ------------------------------------------------------------------


def notify(
    *,
    recipient: User | Address,
    template: str,
    context: dict[str, Any],
    channels: Iterable[str] | None = None,
) -> list[Message]:
    """Queue ``template`` for ``recipient`` on each channel, inside the caller's transaction.

    Guarantees: one outbox row per channel and address, written atomically
    with the caller's work and sent only after it commits; a channel the
    recipient has not opted into (WhatsApp) or has no address for is recorded
    as not sent, with the reason; secret parameters are stored only encrypted;
    non-urgent messages wait for the end of the complex's quiet hours.
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
    chosen = list(dict.fromkeys(channels or _preferred_channels(recipient, spec)))
    now = timezone.now()
    due = now if spec.urgent else _after_quiet_hours(now, notification_settings())

    rows = []
    for channel in chosen:
        for address, skip_reason in _addresses(recipient, channel):
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
                )
            )
    with tenant_atomic():
        Message.objects.bulk_create(rows)
        for row in rows:
            if row.status == Message.Status.QUEUED and row.next_attempt_at <= now:
                enqueue(_task_for(row.channel), row.pk)
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
        return [(recipient.email, "")] if recipient.email else [("", "no email address")]
    if channel not in (Channel.WHATSAPP, Channel.SMS):
        raise NotificationError(f"Unknown channel '{channel}'.")
    if not recipient.phone:
        return [("", "no phone number")]
    if channel == Channel.WHATSAPP and not _has_whatsapp_opt_in(recipient):
        return [(recipient.phone, "no WhatsApp opt-in recorded")]
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


# --- Delivering ----------------------------------------------------------------


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
    return Message.Status.SENT


def _record_failure(message: Message, exc: clients.ProviderError) -> str:
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


def _token(value: str) -> str:
    return decrypt(value, purpose=TOKEN_PURPOSE) if value else ""


def _send(message: Message) -> tuple[str, str]:
    spec = TEMPLATES[message.template]
    values = _values_with_secrets(message)
    subject, text = spec.render(values, message.language)
    config = notification_settings()
    key = str(message.idempotency_key)

    if message.channel == Channel.WHATSAPP:
        if config.whatsapp_provider == NotificationSettings.WhatsAppProvider.META_CLOUD:
            client = clients.WhatsAppCloudClient(
                config.whatsapp_phone_number_id, _token(config.whatsapp_access_token)
            )
            if _window_open(message.to_address):
                return "meta_cloud", client.send_text(
                    to=message.to_address, body=text, callback_data=key
                )
            params = [values[name] for name in spec.params]
            return "meta_cloud", client.send_template(
                to=message.to_address,
                name=spec.whatsapp_name,
                language=message.language,
                params=params,
                callback_data=key,
            )
        if config.whatsapp_provider == NotificationSettings.WhatsAppProvider.FONNTE:
            fonnte = clients.FonnteClient(_token(config.fonnte_token))
            return "fonnte", fonnte.send(to=message.to_address, body=text)
        return "console", _console(message, text)

    if message.channel == Channel.SMS:
        if config.sms_provider == NotificationSettings.SmsProvider.TWILIO:
            sms = clients.TwilioSmsClient(
                config.twilio_account_sid, _token(config.twilio_auth_token), config.twilio_from
            )
            callback = tenant_url("twilio-status")
            return "twilio", sms.send(to=message.to_address, body=text, status_callback=callback)
        return "console", _console(message, text)

    if message.channel == Channel.EMAIL:
        tenant = current_tenant()
        html = render_to_string(
            "notifications/email.html",
            {"subject": subject, "paragraphs": text.split("\n"), "complex": tenant},
        )
        return "email", clients.send_email(
            to=message.to_address,
            subject=subject,
            text=text,
            html=html,
            sender=config.email_from,
            idempotency_key=key,
        )

    subscription = PushSubscription.objects.filter(
        pk=message.to_address.removeprefix("push:")
    ).first()
    if subscription is None:
        raise clients.ProviderError("the push subscription was removed", transient=False)
    return "webpush", clients.send_push(
        endpoint=subscription.endpoint,
        p256dh=subscription.p256dh,
        auth=subscription.auth,
        payload={"title": subject, "body": text, "tag": message.template},
        topic=message.idempotency_key.hex,
        urgent=spec.urgent,
    )


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
        enqueue(_task_for(channel), pk, on_commit=False)
    return len(due)


# --- Status webhooks ---------------------------------------------------------


def record_whatsapp_event(payload: dict[str, Any]) -> int:
    """Apply a WhatsApp Cloud API webhook: delivery statuses and inbound messages.

    Statuses only move forward (sent → delivered → read); a failure after
    delivery is kept as an error note. Returns the number of messages updated.
    """
    updated = 0
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            for inbound in value.get("messages") or []:
                _record_inbound(inbound)
            for status in value.get("statuses") or []:
                updated += _apply_status(status)
    return updated


def _record_inbound(inbound: dict[str, Any]) -> None:
    phone = "+" + str(inbound.get("from", "")).lstrip("+")
    if len(phone) > 16 or not phone[1:].isdigit():
        return
    moment = _timestamp(inbound.get("timestamp"))
    WhatsAppWindow.objects.update_or_create(phone=phone, defaults={"last_inbound_at": moment})


def _timestamp(raw: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return timezone.now()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _apply_status(status: dict[str, Any]) -> int:
    provider_id = str(status.get("id", ""))
    key = str(status.get("biz_opaque_callback_data", ""))
    errors = status.get("errors") or [{}]
    note = f"{errors[0].get('code', '')} {errors[0].get('title', 'failed')}".strip()
    with tenant_atomic():
        query = Message.objects.select_for_update().filter(channel=Channel.WHATSAPP)
        message = query.filter(provider_message_id=provider_id).first() if provider_id else None
        if message is None and _is_uuid(key):
            message = query.filter(idempotency_key=key).first()
        if message is None:
            return 0
        if provider_id and not message.provider_message_id:
            message.provider_message_id = provider_id
        _advance(message, str(status.get("status", "")), _timestamp(status.get("timestamp")), note)
    return 1


def _advance(message: Message, new: str, moment: datetime, error: str) -> None:
    """Move a message forward (sent → delivered → read) or fail it; never backwards.

    A failure reported after delivery is kept as a note: the message did arrive.
    """
    if new == "failed":
        message.error = error
        if _RANK.get(message.status, 0) < _RANK["delivered"]:
            message.status = Message.Status.FAILED
    elif new in _RANK and _RANK[new] > _RANK.get(message.status, 0):
        message.status = new
        stamp = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at"}[new]
        setattr(message, stamp, moment)
        message.sent_at = message.sent_at or moment
    if message.status in FINAL:
        message.lease_until = None
        message.secret_ciphertext = ""
    message.save()


TWILIO_STATUSES = {"sent": "sent", "delivered": "delivered", "undelivered": "failed",
                   "failed": "failed"}  # fmt: skip


def record_twilio_status(*, sid: str, status: str, error_code: str = "") -> int:
    """Apply a Twilio status callback to the SMS it reports on; returns 1 if one matched."""
    new = TWILIO_STATUSES.get(status)
    if new is None or not sid:
        return 0  # queued / sending / accepted: nothing to record
    with tenant_atomic():
        message = (
            Message.objects.select_for_update()
            .filter(channel=Channel.SMS, provider_message_id=sid)
            .first()
        )
        if message is None:
            return 0
        _advance(message, new, timezone.now(), f"Twilio {error_code or status}")
    return 1


def twilio_auth_token() -> str:
    return _token(notification_settings().twilio_auth_token)


# --- Manager and user actions ----------------------------------------------


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
        enqueue(_task_for(copy.channel), copy.pk)
    return copy


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
    return consent


def set_preferences(*, user: User, choices: dict[str, list[str]]) -> None:
    """Replace the user's channel choices for the given categories."""
    with tenant_atomic():
        for category, channels in choices.items():
            Preference.objects.update_or_create(
                user=user, category=category, defaults={"channels": list(dict.fromkeys(channels))}
            )


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


EDITABLE_SETTINGS = (
    "whatsapp_provider", "whatsapp_phone_number_id", "whatsapp_access_token",
    "whatsapp_app_secret", "whatsapp_verify_token", "fonnte_token", "sms_provider",
    "twilio_account_sid", "twilio_auth_token", "twilio_from", "email_from", "quiet_start",
    "quiet_end",
)  # fmt: skip
SECRET_FIELDS = (
    "whatsapp_access_token",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
    "fonnte_token",
    "twilio_auth_token",
)


def update_settings(*, changes: dict[str, Any], actor: User | None = None) -> NotificationSettings:
    """Change the complex's provider settings; secret fields are stored encrypted, audited."""
    with tenant_atomic():
        # The audit names the fields, never the secrets' values.
        record(actor=actor, action="notifications.settings_changed", fields=sorted(changes))
        config = NotificationSettings.objects.select_for_update().get_or_create(pk=1)[0]
        for field, value in changes.items():
            if field in SECRET_FIELDS:
                value = encrypt(value, purpose=TOKEN_PURPOSE) if value else ""
            setattr(config, field, value)
        config.save()
    return config


def whatsapp_app_secret() -> str:
    return _token(notification_settings().whatsapp_app_secret)


def whatsapp_verify_token() -> str:
    return _token(notification_settings().whatsapp_verify_token)


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
