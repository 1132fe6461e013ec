"""Clients of the messaging providers, each against its documented HTTP API.

Every client raises ``ProviderError`` with ``transient=True`` for failures
worth retrying (timeouts, connection errors, 429 and 5xx) and
``transient=False`` for the ones that will fail again (bad number, bad
token, rejected template).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import smtplib
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class ProviderError(Exception):
    def __init__(
        self, message: str, *, transient: bool, status: int | None = None, provider: str = ""
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status
        self.provider = provider  # set by delivery when it knows which provider failed


@functools.cache
def _http() -> httpx.Client:
    """One pooled client per process: building one loads the CA bundle (~20 ms)."""
    return httpx.Client(timeout=TIMEOUT)


def _post(url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = _http().post(url, **kwargs)
    except httpx.TimeoutException as exc:
        raise ProviderError(f"timeout: {exc}", transient=True) from exc
    except httpx.TransportError as exc:
        raise ProviderError(f"connection failed: {exc}", transient=True) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise ProviderError(f"HTTP {response.status_code}: {response.text[:300]}", transient=True)
    return response


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ProviderError(f"HTTP {response.status_code}: not JSON", transient=True) from None
    return body if isinstance(body, dict) else {}


@dataclass(frozen=True)
class WhatsAppCloudClient:
    """Meta WhatsApp Cloud API: ``POST /{phone-number-id}/messages`` with a bearer token."""

    phone_number_id: str
    access_token: str
    base_url: str = ""

    def _send(self, payload: dict[str, Any]) -> str:
        base = (self.base_url or settings.WHATSAPP_GRAPH_URL).rstrip("/")
        response = _post(
            f"{base}/{self.phone_number_id}/messages",
            json={"messaging_product": "whatsapp", "recipient_type": "individual", **payload},
            headers={"Authorization": f"Bearer {self.access_token}"},
        )
        body = _json(response)
        if response.status_code >= 400 or "error" in body:
            error = body.get("error", {})
            raise ProviderError(
                f"WhatsApp error {error.get('code', response.status_code)}: "
                f"{error.get('message', response.text[:200])}",
                transient=False,
            )
        return str(body["messages"][0]["id"])

    def send_template(
        self, *, to: str, name: str, language: str, params: list[str], callback_data: str
    ) -> str:
        """A business-initiated message: an approved template filled with ``params``."""
        return self._send(
            {
                "to": to.lstrip("+"),
                "type": "template",
                "template": {
                    "name": name,
                    "language": {"code": language},
                    "components": [
                        {
                            "type": "body",
                            "parameters": [{"type": "text", "text": p} for p in params],
                        }
                    ],
                },
                # Echoed back in status webhooks: lets us match a send whose reply we lost.
                "biz_opaque_callback_data": callback_data,
            }
        )

    def send_text(self, *, to: str, body: str, callback_data: str) -> str:
        """Free text, allowed only inside the 24-hour window after the user wrote to us."""
        return self._send(
            {
                "to": to.lstrip("+"),
                "type": "text",
                "text": {"body": body[:4096], "preview_url": False},
                "biz_opaque_callback_data": callback_data,
            }
        )


@dataclass(frozen=True)
class FonnteClient:
    """A local WhatsApp gateway (Fonnte): ``POST /send`` with the device token."""

    token: str
    base_url: str = ""

    def send(self, *, to: str, body: str) -> str:
        base = (self.base_url or settings.FONNTE_URL).rstrip("/")
        response = _post(
            f"{base}/send",
            data={"target": to.lstrip("+"), "message": body, "countryCode": "62"},
            headers={"Authorization": self.token},
        )
        result = _json(response)
        if response.status_code >= 400 or not result.get("status"):
            raise ProviderError(
                f"Fonnte refused: {result.get('reason', response.text[:200])}", transient=False
            )
        ids = result.get("id") or [""]
        return str(ids[0])


@dataclass(frozen=True)
class TwilioSmsClient:
    """SMS through Twilio's Messages API (Basic auth with the account SID and token)."""

    account_sid: str
    auth_token: str
    sender: str
    base_url: str = ""

    def send(self, *, to: str, body: str, status_callback: str = "") -> str:
        base = (self.base_url or settings.TWILIO_URL).rstrip("/")
        data = {"To": to, "From": self.sender, "Body": body[:1600]}
        if status_callback:
            data["StatusCallback"] = status_callback
        response = _post(
            f"{base}/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            data=data,
            auth=(self.account_sid, self.auth_token),
        )
        result = _json(response)
        if response.status_code >= 400:
            raise ProviderError(
                f"Twilio error {result.get('code')}: {result.get('message')}", transient=False
            )
        return str(result["sid"])


def send_email(
    *, to: str, subject: str, text: str, html: str, sender: str, idempotency_key: str
) -> str:
    """Send through Django's configured email backend; returns the Message-ID."""
    message_id = make_msgid(idstring=idempotency_key.replace("-", ""), domain="klustera")
    email = EmailMultiAlternatives(
        subject,
        text,
        sender or settings.DEFAULT_FROM_EMAIL,
        [to],
        headers={"Message-ID": message_id},
    )
    email.attach_alternative(html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise ProviderError(f"recipient refused: {exc}", transient=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ProviderError(f"SMTP: {exc}", transient=True) from exc
    return message_id


def push_host_allowed(endpoint: str) -> bool:
    """Only the browsers' push services receive our requests (no SSRF through endpoints)."""
    host = (urlsplit(endpoint).hostname or "").lower()
    return (
        urlsplit(endpoint).scheme == "https"
        and any(
            host == allowed or host.endswith("." + allowed)
            for allowed in settings.PUSH_ALLOWED_HOSTS
        )
    ) or host in settings.PUSH_TEST_HOSTS


def send_push(
    *, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any], topic: str, urgent: bool
) -> str:
    """Web Push (RFC 8030, VAPID); ``topic`` makes the push service replace, not repeat."""
    from pywebpush import WebPushException, webpush

    if not push_host_allowed(endpoint):
        raise ProviderError("push endpoint host is not a known push service", transient=False)
    try:
        response = webpush(
            {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=24 * 3600,
            timeout=10,
            headers={"Topic": topic, "Urgency": "high" if urgent else "normal"},
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else 0
        transient = status == 0 or status == 429 or status >= 500
        raise ProviderError(
            f"push HTTP {status}: {exc.message}", transient=transient, status=status
        ) from exc
    except Exception as exc:  # requests' connection errors and timeouts
        raise ProviderError(f"push failed: {exc}", transient=True) from exc
    return str(getattr(response, "headers", {}).get("Location", ""))


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's ``X-Twilio-Signature``: HMAC-SHA1 of the URL and the sorted form fields."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
