"""What the providers report back: WhatsApp and Twilio statuses, inbound messages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from klustera.notifications.models import (
    Channel,
    Message,
    WhatsAppWindow,
)
from klustera.notifications.services.delivery import FINAL
from klustera.tenancy.context import tenant_atomic

_RANK: dict[str, int] = {"sent": 1, "delivered": 2, "read": 3}


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
