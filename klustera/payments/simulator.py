"""A local stand-in for Xendit that speaks its protocol, for development and tests.

Same paths, Basic authentication, JSON shapes, statuses and callbacks as the
parts of Xendit Klustera uses: Payment Sessions (``/sessions``) with a
hosted checkout page where a person can pay, let the session expire or fail
a try; Payments API v3 (``/v3/payment_requests``) with test-mode
``…/simulate``. Callbacks carry the account's ``x-callback-token`` and a
``webhook-id``; a delivery that is not answered with 2xx is tried again
(Xendit: 15 min, 45 min, 2 h, 3 h, 6 h, 12 h; here the delays are short and
configurable), and a delivery that times out is not retried, as at Xendit.

``klustera xendit-sim`` serves it (``make run`` starts it on port 8010). Its
accounts are read from ``var/xendit-sim.json``: ``[{"secret_key",
"callback_token", "callback_url", "for_user_id"}]``.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from klustera.local_server import serve_wsgi
from klustera.payments.xendit import CHANNELS

Start = Callable[[str, list[tuple[str, str]]], Any]


@dataclass(frozen=True)
class Account:
    secret_key: str
    callback_token: str
    callback_url: str
    for_user_id: str = ""


@dataclass
class Delivery:
    url: str
    event: str
    body: dict[str, Any]
    headers: dict[str, str]
    attempts: int = 0
    status: int | None = None  # the last answer's status; None: no answer (yet)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class XenditSimulator:
    accounts: list[Account] = field(default_factory=list)
    accounts_file: Path | None = None
    public_url: str = "http://127.0.0.1:8010"  # where the hosted checkout pages are
    retry_delays: tuple[float, ...] = (0.5, 1, 2, 4, 8, 16)  # Xendit: 15 min … 12 h
    delivery_timeout: float = 10.0
    synchronous: bool = False  # deliver callbacks in the caller's thread (tests)
    send: Callable[[str, dict[str, str], bytes], int] | None = None  # replaces HTTP (tests)
    fail_next: int = 0  # answer this many requests with 503 before behaving
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)

    # --- Accounts ---------------------------------------------------------------------

    def _accounts(self) -> list[Account]:
        known = list(self.accounts)
        if self.accounts_file and self.accounts_file.exists():
            known += [Account(**item) for item in json.loads(self.accounts_file.read_text())]
        return known

    def _account(self, headers: dict[str, str]) -> Account | None:
        auth = headers.get("authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            key = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        except ValueError:
            return None
        for_user = headers.get("for-user-id", "")
        return next(
            (a for a in self._accounts() if a.secret_key == key and a.for_user_id == for_user),
            None,
        )

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start: Start) -> list[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        with self._lock:
            self.requests.append((method, path))
            if path.startswith("/checkout/"):
                return self._checkout(start, method, path.removeprefix("/checkout/"), raw)
            if path == "/favicon.ico":  # what a browser on the checkout page asks for
                start("204 No Content", [])
                return [b""]
            if self.fail_next > 0:
                self.fail_next -= 1
                return _json(start, 503, {"error_code": "SERVER_ERROR", "message": "Try again"})
            account = self._account(headers)
            if account is None:
                return _json(
                    start, 401, {"error_code": "INVALID_API_KEY", "message": "Invalid API key"}
                )
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                return _json(start, 400, {"error_code": "API_VALIDATION_ERROR", "message": "JSON"})
            return self._route(start, method, path, query, body, account, headers)

    def _route(
        self,
        start: Start,
        method: str,
        path: str,
        query: dict[str, str],
        body: dict[str, Any],
        account: Account,
        headers: dict[str, str],
    ) -> list[bytes]:
        parts = [p for p in path.split("/") if p]
        if parts == ["sessions"] and method == "POST":
            return self._create_session(start, body, account)
        if parts == ["sessions"] and method == "GET":
            found = [s for s in self.sessions.values() if s["_account"] == account and
                     s["reference_id"] == query.get("reference_id")]  # fmt: skip
            return _json(start, 200, {"data": [_public(s) for s in found]})
        if len(parts) == 2 and parts[0] == "sessions" and method == "GET":
            session = self.sessions.get(parts[1])
            if session is None or session["_account"] != account:
                return _json(start, 404, {"error_code": "NOT_FOUND", "message": "No session"})
            return _json(start, 200, _public(session))
        if parts[:2] == ["v3", "payments"] and len(parts) == 3 and method == "GET":
            payment = self.payments.get(parts[2])
            if payment is None or payment["_account"] != account:
                return _json(start, 404, {"error_code": "DATA_NOT_FOUND", "message": "Not found"})
            return _json(start, 200, _public(payment))
        if parts[:2] == ["v3", "payment_requests"]:
            if not headers.get("api-version"):
                return _invalid(start, "the api-version header is required")
            if len(parts) == 2 and method == "POST":
                return self._create_payment_request(start, body, account)
            if len(parts) == 2 and method == "GET":
                found = [p for p in self.payment_requests.values() if p["_account"] == account and
                         p["reference_id"] == query.get("reference_id")]  # fmt: skip
                return _json(start, 200, {"data": [_public(p) for p in found]})
            request = self.payment_requests.get(parts[2]) if len(parts) > 2 else None
            if request is None or request["_account"] != account:
                return _json(start, 404, {"error_code": "DATA_NOT_FOUND", "message": "Not found"})
            if len(parts) == 3 and method == "GET":
                return _json(start, 200, _public(request))
            if len(parts) == 4 and parts[3] == "simulate" and method == "POST":
                amount = body.get("amount")
                if not isinstance(amount, int) or amount <= 0:
                    return _invalid(start, "amount must be a positive integer")
                self.simulate(request["payment_request_id"], amount)
                return _json(start, 200, {"status": "PENDING", "message": "Payment simulated"})
        return _json(start, 404, {"error_code": "NOT_FOUND", "message": f"No route {path}"})

    # --- Sessions ----------------------------------------------------------------------------

    def _create_session(self, start: Start, body: dict[str, Any], account: Account) -> list[bytes]:
        problem = _check(body, ("reference_id", "amount", "currency", "country", "mode"))
        if problem:
            return _invalid(start, problem)
        if body["currency"] != "IDR" or body["mode"] != "PAYMENT_LINK":
            return _invalid(start, "only IDR payment links are simulated")
        if not isinstance(body["amount"], int) or body["amount"] <= 0:
            return _invalid(start, "amount must be a positive whole number of IDR")
        channels = body.get("allowed_payment_channels") or CHANNELS
        if any(channel not in CHANNELS for channel in channels):
            return _invalid(start, "unknown payment channel")
        session_id = f"ps-{secrets.token_hex(12)}"
        expires_at = body.get("expires_at") or _iso(_now() + timedelta(minutes=30))
        session = {
            "payment_session_id": session_id,
            "reference_id": body["reference_id"],
            "session_type": body.get("session_type", "PAY"),
            "mode": "PAYMENT_LINK",
            "amount": body["amount"],
            "currency": "IDR",
            "country": "ID",
            "status": "ACTIVE",
            "allowed_payment_channels": channels,
            "expires_at": expires_at,
            "payment_link_url": f"{self.public_url}/checkout/{session_id}",
            "success_return_url": body.get("success_return_url", ""),
            "cancel_return_url": body.get("cancel_return_url", ""),
            "description": body.get("description", ""),
            "created": _iso(_now()),
            "payment_id": None,
            "payment_request_id": None,
            "_account": account,
        }
        self.sessions[session_id] = session
        return _json(start, 201, _public(session))

    def pay(self, session_id: str, channel: str = "QRIS", amount: int | None = None) -> None:
        """The person paid on the hosted page (``amount`` other than asked: a mismatch)."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] != "ACTIVE":
                raise ValueError(f"session is {session['status']}")
            payment = self._capture(
                session["_account"],
                f"pr-{secrets.token_hex(12)}",
                session["reference_id"],
                session["amount"],
                amount if amount is not None else session["amount"],
                channel,
            )
            session.update(
                status="COMPLETED",
                payment_id=payment["payment_id"],
                payment_request_id=payment["payment_request_id"],
                channel_code=channel,
            )
            data = _public(session)
        self._callback(session["_account"], "payment_session.completed", data)

    def expire(self, session_id: str) -> None:
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] != "ACTIVE":
                raise ValueError(f"session is {session['status']}")
            session["status"] = "EXPIRED"
            data = _public(session)
        self._callback(session["_account"], "payment_session.expired", data)

    def fail(self, session_id: str, channel: str = "OVO") -> None:
        """A try that failed (the session stays open for another try)."""
        with self._lock:
            session = self.sessions[session_id]
            data = {
                "payment_request_id": f"pr-{secrets.token_hex(12)}",
                "reference_id": session["reference_id"],
                "status": "FAILED",
                "channel_code": channel,
                "request_amount": session["amount"],
                "failure_code": "INSUFFICIENT_BALANCE",
                "payment_session_id": session["payment_session_id"],
            }
        self._callback(session["_account"], "payment.failure", data)

    def _checkout(self, start: Start, method: str, session_id: str, raw: bytes) -> list[bytes]:
        session = self.sessions.get(session_id)
        if session is None:
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"No such payment session"]
        if method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            action, channel = form.get("action"), form.get("channel", "QRIS")
            actions: dict[str, Callable[[], None]] = {
                "pay": lambda: self.pay(session_id, channel),
                "expire": lambda: self.expire(session_id),
                "fail": lambda: self.fail(session_id),
            }
            if session["status"] == "ACTIVE" and action in actions:
                # Answer the browser at once; the callback follows, as at Xendit.
                threading.Thread(target=actions[action], daemon=True).start()
            back = "success_return_url" if action == "pay" else "cancel_return_url"
            target = session[back] or f"/checkout/{session_id}"
            start("303 See Other", [("Location", target)])
            return [b""]
        options = "".join(
            f'<label><input type="radio" name="channel" value="{c}"{" checked" if i == 0 else ""}>'
            f" {c.replace('_', ' ')}</label><br>"
            for i, c in enumerate(session["allowed_payment_channels"])
        )
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Xendit simulator · checkout</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem">
<p style="color:#b45309">Xendit simulator: no real money moves.</p>
<h1>Rp {session["amount"]:,}</h1><p>{html.escape(session["description"])}</p>
<p>Status: <strong id="status">{session["status"]}</strong></p>
<form method="post">{options}
<p><button name="action" value="pay">Pay</button>
<button name="action" value="fail">Fail this try</button>
<button name="action" value="expire">Let it expire</button></p></form></body></html>"""
        start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    # --- Payments API v3 ------------------------------------------------------------------

    def _create_payment_request(
        self, start: Start, body: dict[str, Any], account: Account
    ) -> list[bytes]:
        problem = _check(body, ("reference_id", "type", "country", "currency", "channel_code"))
        if problem:
            return _invalid(start, problem)
        kind, channel = body["type"], body["channel_code"]
        if kind not in ("PAY", "REUSABLE_PAYMENT_CODE"):
            return _invalid(start, "type must be PAY or REUSABLE_PAYMENT_CODE")
        amount = body.get("request_amount")
        if kind == "PAY" and (not isinstance(amount, int) or not 1 <= amount <= 10_000_000):
            return _invalid(start, "request_amount must be a whole IDR amount from 1 to 10000000")
        request_id = f"pr-{secrets.token_hex(12)}"
        number = next(self._ids)
        if channel == "QRIS":
            descriptor, value = "QR_STRING", f"00020101021226SIMULATED{request_id}54{amount}"
        else:
            descriptor, value = "VIRTUAL_ACCOUNT_NUMBER", f"8808{number:010d}"
        actions = [{"type": "PRESENT_TO_CUSTOMER", "descriptor": descriptor, "value": value}]
        request = {
            "payment_request_id": request_id,
            "reference_id": body["reference_id"],
            "type": kind,
            "country": "ID",
            "currency": "IDR",
            "request_amount": amount,
            "channel_code": channel,
            "channel_properties": body.get("channel_properties", {}),
            "status": "ACCEPTING_PAYMENTS",
            "actions": actions,
            "created": _iso(_now()),
            "_account": account,
        }
        self.payment_requests[request_id] = request
        return _json(start, 201, _public(request))

    def simulate(self, payment_request_id: str, amount: int) -> None:
        """Test mode: someone paid the QR code or transferred to the virtual account."""
        with self._lock:
            request = self.payment_requests[payment_request_id]
            if request["type"] == "PAY":
                request["status"] = "SUCCEEDED"
            payment = self._capture(
                request["_account"],
                payment_request_id,
                request["reference_id"],
                request["request_amount"],
                amount,
                request["channel_code"],
            )
            data = {**_public(payment), "type": request["type"]}
        self._callback(request["_account"], "payment.capture", data)

    def _capture(
        self,
        account: Account,
        payment_request_id: str,
        reference_id: str,
        asked: int | None,
        paid: int,
        channel: str,
    ) -> dict[str, Any]:
        payment: dict[str, Any] = {
            "payment_id": f"py-{secrets.token_hex(12)}",
            "payment_request_id": payment_request_id,
            "reference_id": reference_id,
            "status": "SUCCEEDED",
            "request_amount": asked,
            "captured_amount": paid,
            "currency": "IDR",
            "channel_code": channel,
            "created": _iso(_now()),
            "_account": account,
        }
        self.payments[payment["payment_id"]] = payment
        return payment

    # --- Callbacks ---------------------------------------------------------------------------

    def _callback(self, account: Account, event: str, data: dict[str, Any]) -> Delivery:
        body = {
            "event": event,
            "business_id": f"sim-{account.for_user_id or 'main'}",
            "created": _iso(_now()),
            "api_version": "v3",
            "data": data,
        }
        headers = {
            "Content-Type": "application/json",
            "x-callback-token": account.callback_token,
            "webhook-id": f"wh-{secrets.token_hex(10)}",
        }
        delivery = Delivery(account.callback_url, event, body, headers)
        with self._lock:
            self.deliveries.append(delivery)
        if self.synchronous:
            self._deliver(delivery)
        else:
            threading.Thread(target=self._deliver, args=(delivery,), daemon=True).start()
        return delivery

    def _deliver(self, delivery: Delivery) -> None:
        raw = json.dumps(delivery.body).encode()
        for delay in (0.0, *self.retry_delays):
            if delay and not self.synchronous:
                time.sleep(delay)
            delivery.attempts += 1
            try:
                if self.send is not None:
                    delivery.status = self.send(delivery.url, delivery.headers, raw)
                else:
                    answer = httpx.post(
                        delivery.url,
                        content=raw,
                        headers=delivery.headers,
                        timeout=self.delivery_timeout,
                    )
                    delivery.status = answer.status_code
            except httpx.TimeoutException:
                delivery.status = None
                return  # Xendit does not retry a delivery that timed out
            except httpx.HTTPError:
                delivery.status = None
            if delivery.status is not None and 200 <= delivery.status < 300:
                return

    def resend(self, delivery: Delivery) -> None:
        """The dashboard's manual resend."""
        self._deliver(delivery)


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if not key.startswith("_")}


def _check(body: dict[str, Any], required: tuple[str, ...]) -> str:
    missing = [name for name in required if body.get(name) in (None, "")]
    if missing:
        return f"missing: {', '.join(missing)}"
    if not 1 <= len(str(body["reference_id"])) <= 64:
        return "reference_id must be 1 to 64 characters"
    return ""


def _invalid(start: Start, message: str) -> list[bytes]:
    return _json(start, 400, {"error_code": "API_VALIDATION_ERROR", "message": message})


def _json(start: Start, status: int, body: dict[str, Any]) -> list[bytes]:
    reasons = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized",
               404: "Not Found", 503: "Service Unavailable"}  # fmt: skip
    start(f"{status} {reasons.get(status, 'Status')}", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


@contextmanager
def serve(simulator: XenditSimulator, port: int = 0) -> Iterator[str]:
    """Serve ``simulator`` on a loopback port (free when 0); yields its base URL."""
    with serve_wsgi(simulator, port) as base:
        simulator.public_url = base
        yield base
