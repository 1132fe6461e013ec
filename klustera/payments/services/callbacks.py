"""Xendit's callbacks: checked, stored raw, and acted on from the queue."""

from __future__ import annotations

import hmac
import json
import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from klustera.crypto import decrypt
from klustera.observability.metrics import XENDIT_CALLBACKS
from klustera.payments.models import CallbackEvent, PaymentAttempt, UnitVirtualAccount
from klustera.payments.services.account import KEY_PURPOSE, xendit_account, xendit_client
from klustera.payments.services.settlement import book_confirmed, book_transfer, close_attempt
from klustera.payments.xendit import XenditError
from klustera.tasks import enqueue
from klustera.tenancy.context import tenant_atomic

logger = logging.getLogger(__name__)


def receive_callback(*, token: str, body: bytes) -> CallbackEvent | None:
    """Check a Xendit callback, store it raw and queue its processing; None: not Xendit.

    The token is compared in constant time with the complex's own; the
    callback is answered at once and the work (a confirmation with Xendit,
    the books, the receipt) happens on the queue.
    """
    account = xendit_account()
    expected = (
        decrypt(account.callback_token, purpose=KEY_PURPOSE) if account.callback_token else ""
    )
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        logger.warning("Rejected a Xendit callback with a wrong or missing token")
        XENDIT_CALLBACKS.labels("rejected").inc()
        return None
    try:
        payload = json.loads(body)
        data = payload.get("data") or {}
        event_name = str(payload.get("event", ""))[:60]
    except (ValueError, AttributeError):
        XENDIT_CALLBACKS.labels("rejected").inc()
        raise ValidationError(_("The callback is not JSON."), code="callback_not_json") from None
    with tenant_atomic():
        event = CallbackEvent.objects.create(
            event=event_name,
            gateway_id=str(
                data.get("payment_id")
                or data.get("payment_session_id")
                or data.get("payment_request_id")
                or ""
            )[:100],
            body=payload,
        )
        enqueue("klustera.payments.tasks.process_callback", event.pk)
    XENDIT_CALLBACKS.labels("accepted").inc()
    return event


def process_callback(event: CallbackEvent) -> str:
    """Act on one stored callback, after confirming its news with Xendit; safe to repeat."""
    data = event.body.get("data") or {}
    reference = str(data.get("reference_id", ""))
    account = UnitVirtualAccount.objects.filter(reference_id=reference).first()
    if account is not None and event.event == "payment.capture":
        return _done(event, CallbackEvent.Status.PROCESSED, book_transfer(account, data))
    attempt = PaymentAttempt.objects.filter(reference_id=reference).first()
    if attempt is None:
        return _done(event, CallbackEvent.Status.IGNORED, "no attempt with this reference")
    client = xendit_client()
    try:
        if event.event == "payment_session.completed":
            session = client.get_session(attempt.gateway_id or data["payment_session_id"])
            if session.status != "COMPLETED":
                return _done(event, CallbackEvent.Status.IGNORED, f"Xendit says {session.status}")
            outcome = book_confirmed(client, attempt, session.payment_id or data["payment_id"])
        elif event.event == "payment.capture":
            outcome = book_confirmed(client, attempt, data["payment_id"])
        elif event.event in ("payment_session.expired", "payment.failure"):
            failure = str(data.get("failure_code", "")) or "FAILED"
            outcome = close_attempt(
                attempt, expired=event.event.endswith("expired"), failure=failure
            )
        else:
            return _done(event, CallbackEvent.Status.IGNORED, "event not handled")
    except (XenditError, KeyError) as exc:
        _done(event, CallbackEvent.Status.FAILED, str(exc)[:300])
        raise
    finally:
        client.close()
    return _done(event, CallbackEvent.Status.PROCESSED, outcome)


def _done(event: CallbackEvent, status: str, outcome: str) -> str:
    CallbackEvent.objects.filter(pk=event.pk).update(status=status, outcome=outcome[:300])
    XENDIT_CALLBACKS.labels(status).inc()  # processed, ignored or failed
    return outcome
