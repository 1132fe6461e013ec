"""Alertmanager's critical alerts as SMS: a webhook receiver that sends through Twilio.

Alertmanager has no SMS receiver of its own; its ``webhook_configs`` post here
(``klustera alert-sms``, deploy/alertmanager/alertmanager.yml) and each firing alert becomes
one short SMS to every number in ``ALERT_SMS_TO``, with the platform's own Twilio account
(``ALERT_TWILIO_*``), not a complex's. A failed send answers 502, so Alertmanager retries.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import structlog
from django.conf import settings

from klustera.notifications.clients import ProviderError, TwilioSmsClient

logger = structlog.get_logger(__name__)
MAX_BODY = 256 * 1024
SMS_LENGTH = 300


def alert_texts(payload: dict[str, Any]) -> list[str]:
    """One short text for each firing alert of an Alertmanager webhook payload."""
    texts = []
    for alert in payload.get("alerts") or []:
        if alert.get("status") != "firing":
            continue
        labels, notes = alert.get("labels") or {}, alert.get("annotations") or {}
        severity = str(labels.get("severity", "")).upper()
        summary = notes.get("summary") or labels.get("alertname", "alert")
        texts.append(f"Klustera {severity}: {summary}"[:SMS_LENGTH])
    return texts


def relay(payload: dict[str, Any]) -> int:
    """Send the payload's firing alerts by SMS; returns how many messages went out."""
    client = TwilioSmsClient(
        settings.ALERT_TWILIO_ACCOUNT_SID,
        settings.ALERT_TWILIO_AUTH_TOKEN,
        settings.ALERT_TWILIO_FROM,
    )
    sent = 0
    for text in alert_texts(payload):
        for number in settings.ALERT_SMS_TO:
            client.send(to=number, body=text)
            sent += 1
    return sent


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.path != "/alerts" or not 0 < length <= MAX_BODY:
            self._answer(400)
            return
        try:
            payload = json.loads(self.rfile.read(length))
            sent = relay(payload if isinstance(payload, dict) else {})
        except ValueError:
            self._answer(400)
        except ProviderError as exc:
            logger.warning("alert_sms.failed", error=str(exc))
            self._answer(502)
        else:
            logger.info("alert_sms.sent", messages=sent)
            self._answer(200)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def server(host: str, port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), Handler)
