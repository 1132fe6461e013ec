"""A local stand-in for the messaging providers, speaking their HTTP protocols.

It answers the WhatsApp Cloud API (``POST /{version}/{phone-number-id}/messages``),
Fonnte (``POST /send``), Twilio (``POST /2010-04-01/Accounts/{sid}/Messages.json``)
and a Web Push service (``POST /push/{id}``) with the same authentication,
request checks and response shapes, records what it received, can be told to
fail, and produces signed WhatsApp status webhooks. The real clients talk to
it unchanged; only their base URLs differ.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from klustera.local_server import serve_wsgi

Start = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class Received:
    provider: str
    to: str
    body: dict[str, Any]
    headers: dict[str, str]
    raw: bytes = b""


@dataclass
class ProviderSimulator:
    whatsapp_token: str = "sim-whatsapp-token"
    phone_number_id: str = "1000200030004000"
    fonnte_token: str = "sim-fonnte-token"
    twilio_sid: str = "ACsimulator"
    twilio_token: str = "sim-twilio-token"
    received: list[Received] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses for the next requests
    down: bool = False  # every request answers 503 while True
    open_windows: set[str] = field(default_factory=set)  # wa_ids that wrote in the last 24 h
    gone_push: set[str] = field(default_factory=set)  # push subscriptions that expired
    push_pending: dict[str, dict[str, bytes]] = field(default_factory=dict)  # id → topic → body

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    # --- WSGI -----------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start: Start) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        path = environ.get("PATH_INFO", "")
        with self._lock:
            if self.down or self.failures:
                code = 503 if self.down else self.failures.pop(0)
                return self._answer(start, code, {"error": {"message": "simulated failure"}})
        if environ["REQUEST_METHOD"] != "POST":
            return self._answer(start, 405, {"error": {"message": "POST only"}})
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[2] == "messages":
            return self._whatsapp(start, parts[1], headers, raw)
        if path == "/send":
            return self._fonnte(start, headers, raw)
        if len(parts) == 4 and parts[:2] == ["2010-04-01", "Accounts"]:
            return self._twilio(start, parts[2], headers, raw)
        if len(parts) == 2 and parts[0] == "push":
            return self._push(start, parts[1], headers, raw)
        return self._answer(start, 404, {"error": {"message": f"no route {path}"}})

    def _answer(self, start: Start, code: int, body: dict[str, Any]) -> list[bytes]:
        start(f"{code} SIM", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def _record(
        self,
        provider: str,
        to: str,
        body: dict[str, Any],
        headers: dict[str, str],
        raw: bytes = b"",
    ) -> None:
        with self._lock:
            self.received.append(Received(provider, to, body, headers, raw))

    # --- WhatsApp Cloud API -----------------------------------------------------

    def _whatsapp(
        self, start: Start, phone_id: str, headers: dict[str, str], raw: bytes
    ) -> list[bytes]:
        if headers.get("authorization") != f"Bearer {self.whatsapp_token}":
            return self._answer(
                start,
                401,
                {
                    "error": {
                        "message": "Invalid OAuth access token.",
                        "type": "OAuthException",
                        "code": 190,
                    }
                },
            )
        if phone_id != self.phone_number_id:
            return self._answer(
                start,
                400,
                {
                    "error": {
                        "message": "Unsupported post request.",
                        "type": "GraphMethodException",
                        "code": 100,
                    }
                },
            )
        try:
            body = json.loads(raw)
        except ValueError:
            return self._answer(start, 400, {"error": {"message": "Invalid JSON", "code": 100}})
        to = str(body.get("to", ""))
        kind = body.get("type")
        if (
            body.get("messaging_product") != "whatsapp"
            or not to.isdigit()
            or kind not in ("template", "text")
        ):
            return self._answer(
                start, 400, {"error": {"message": "(#100) Invalid parameter", "code": 100}}
            )
        if kind == "template":
            template = body.get("template") or {}
            if not str(template.get("name", "")).startswith(
                "klustera_"
            ) or "code" not in template.get("language", {}):
                return self._answer(
                    start,
                    404,
                    {
                        "error": {
                            "message": "(#132001) Template name does not exist in the translation",
                            "code": 132001,
                        }
                    },
                )
        elif to not in self.open_windows:
            return self._answer(
                start,
                400,
                {"error": {"message": "(#131047) Re-engagement message", "code": 131047}},
            )
        wamid = f"wamid.SIM{next(self._ids):08d}"
        self._record("whatsapp", to, body, headers, raw)
        return self._answer(
            start,
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            },
        )

    def status_webhook(
        self,
        *,
        app_secret: str,
        wamid: str,
        status: str,
        to: str,
        callback_data: str = "",
        errors: list[dict[str, Any]] | None = None,
        inbound_from: str = "",
    ) -> tuple[bytes, str]:
        """A WhatsApp webhook delivery (body and ``X-Hub-Signature-256``) as Meta sends it."""
        value: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "6281100000000",
                "phone_number_id": self.phone_number_id,
            },
        }
        if wamid:
            state: dict[str, Any] = {
                "id": wamid,
                "status": status,
                "timestamp": str(int(time.time())),
                "recipient_id": to,
            }
            if callback_data:
                state["biz_opaque_callback_data"] = callback_data
            if errors:
                state["errors"] = errors
            value["statuses"] = [state]
        if inbound_from:
            value["messages"] = [
                {
                    "from": inbound_from,
                    "id": f"wamid.IN{next(self._ids)}",
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": "Halo"},
                }
            ]
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [{"id": "WABA-SIM", "changes": [{"field": "messages", "value": value}]}],
            }
        ).encode()
        signature = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
        return body, signature

    # --- Fonnte -----------------------------------------------------------------

    def _fonnte(self, start: Start, headers: dict[str, str], raw: bytes) -> list[bytes]:
        if headers.get("authorization") != self.fonnte_token:
            return self._answer(start, 200, {"status": False, "reason": "invalid token"})
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        target = form.get("target", "")
        if not target.isdigit() or not form.get("message"):
            return self._answer(
                start, 200, {"status": False, "reason": "invalid target or message"}
            )
        self._record("fonnte", target, form, headers, raw)
        return self._answer(
            start,
            200,
            {
                "status": True,
                "detail": "success! message in queue",
                "id": [str(80000000 + next(self._ids))],
                "process": "pending",
                "target": [target],
            },
        )

    # --- Twilio -----------------------------------------------------------------

    def _twilio(self, start: Start, sid: str, headers: dict[str, str], raw: bytes) -> list[bytes]:
        expected = (
            "Basic " + base64.b64encode(f"{self.twilio_sid}:{self.twilio_token}".encode()).decode()
        )
        if sid != self.twilio_sid or headers.get("authorization") != expected:
            return self._answer(
                start, 401, {"code": 20003, "message": "Authenticate", "status": 401}
            )
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        to = form.get("To", "")
        if not to.startswith("+") or not to[1:].isdigit():
            return self._answer(
                start,
                400,
                {
                    "code": 21211,
                    "status": 400,
                    "message": f"The 'To' number {to} is not a valid phone number.",
                },
            )
        self._record("twilio", to, form, headers, raw)
        return self._answer(
            start,
            201,
            {
                "sid": f"SM{next(self._ids):032d}",
                "status": "queued",
                "to": to,
                "from": form.get("From"),
                "body": form.get("Body"),
            },
        )

    # --- Web Push -----------------------------------------------------------------

    def _push(
        self, start: Start, subscription: str, headers: dict[str, str], raw: bytes
    ) -> list[bytes]:
        if subscription in self.gone_push:
            return self._answer(
                start, 410, {"reason": "push subscription has unsubscribed or expired"}
            )
        if not headers.get("authorization", "").startswith("vapid t="):
            return self._answer(start, 401, {"reason": "missing VAPID authorization"})
        if headers.get("content-encoding") != "aes128gcm" or "ttl" not in headers:
            return self._answer(start, 400, {"reason": "aes128gcm body and TTL required"})
        topic = headers.get("topic") or f"untopiced-{next(self._ids)}"
        with self._lock:
            # RFC 8030 §5.4: a message with the topic of an undelivered one replaces it.
            self.push_pending.setdefault(subscription, {})[topic] = raw
        self._record(
            "push", subscription, {"topic": topic, "urgency": headers.get("urgency")}, headers, raw
        )
        start("201 Created", [("Location", f"/push/{subscription}/m{next(self._ids)}")])
        return [b""]

    def sent(self, provider: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.provider == provider]


@contextmanager
def serve(simulator: ProviderSimulator) -> Iterator[str]:
    """Serve ``simulator`` on a free loopback port; yields its base URL."""
    with serve_wsgi(simulator) as base:
        yield base
