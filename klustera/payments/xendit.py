"""A small typed client of Xendit's current payments stack, over httpx.

* Payment Sessions (``POST /sessions``, ``GET /sessions/{id}``), mode
  ``PAYMENT_LINK``: the hosted checkout a resident is sent to.
* Payments API v3 (``POST /v3/payment_requests``, ``GET …/{id}``): a QRIS code
  shown on our own page, and a fixed virtual account per unit
  (``REUSABLE_PAYMENT_CODE``).

Money is whole Rupiah (Xendit truncates IDR decimals; a fractional amount is
refused here rather than silently cut). Authentication is HTTP Basic with the
secret key; ``for-user-id`` acts for a xenPlatform sub-account. Network
errors and 5xx answers are retried with exponential backoff; 4xx never are.
A create that failed on the network is looked up by its ``reference_id``
before it is sent again, so a retry never makes a second charge. Calls are
throttled under Xendit's limit of 600 requests a minute per endpoint.
"""

from __future__ import annotations

import base64
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from django.conf import settings

API_VERSION = "2024-11-11"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# The channels a complex can offer (Payment Sessions' ``allowed_payment_channels``).
CHANNELS = [
    "QRIS",
    "BCA_VIRTUAL_ACCOUNT",
    "BNI_VIRTUAL_ACCOUNT",
    "BRI_VIRTUAL_ACCOUNT",
    "MANDIRI_VIRTUAL_ACCOUNT",
    "PERMATA_VIRTUAL_ACCOUNT",
    "OVO",
    "DANA",
    "SHOPEEPAY",
    "LINKAJA",
]
LIMIT_PER_MINUTE = 550  # Xendit allows 600 per endpoint in live mode; keep a margin


class XenditError(Exception):
    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", transient: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.transient = transient


@dataclass(frozen=True)
class Session:
    id: str
    reference_id: str
    status: str  # ACTIVE, COMPLETED, EXPIRED, CANCELED
    amount: Decimal
    payment_link_url: str
    expires_at: str
    payment_id: str = ""
    channel_code: str = ""

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Session:
        return cls(
            id=body["payment_session_id"],
            reference_id=body["reference_id"],
            status=body["status"],
            amount=Decimal(str(body["amount"])),
            payment_link_url=body.get("payment_link_url") or "",
            expires_at=body.get("expires_at") or "",
            payment_id=body.get("payment_id") or "",
            channel_code=body.get("channel_code") or "",
        )


@dataclass(frozen=True)
class PaymentRequest:
    id: str
    reference_id: str
    type: str
    status: str  # ACCEPTING_PAYMENTS, REQUIRES_ACTION, SUCCEEDED, FAILED, EXPIRED, CANCELED …
    request_amount: Decimal | None
    channel_code: str
    actions: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> PaymentRequest:
        amount = body.get("request_amount")
        return cls(
            id=body["payment_request_id"],
            reference_id=body["reference_id"],
            type=body.get("type", "PAY"),
            status=body["status"],
            request_amount=Decimal(str(amount)) if amount is not None else None,
            channel_code=body.get("channel_code", ""),
            actions=list(body.get("actions") or []),
        )

    def action(self, descriptor: str) -> str:
        """The value of an action: ``QR_STRING``, ``VIRTUAL_ACCOUNT_NUMBER``, ``WEB_URL`` …"""
        for action in self.actions:
            if action.get("descriptor") == descriptor:
                return str(action.get("value", ""))
        return ""


@dataclass(frozen=True)
class CapturedPayment:
    """Money Xendit collected (``GET /v3/payments/{id}``): what is booked."""

    id: str
    payment_request_id: str
    reference_id: str
    status: str  # SUCCEEDED, FAILED, …
    amount: Decimal
    channel_code: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> CapturedPayment:
        amount = body.get("captured_amount") or body.get("request_amount") or 0
        return cls(
            id=body["payment_id"],
            payment_request_id=body.get("payment_request_id") or "",
            reference_id=body.get("reference_id") or "",
            status=body["status"],
            amount=Decimal(str(amount)),
            channel_code=body.get("channel_code") or "",
        )


class Throttle:
    """At most ``limit`` calls per rolling minute per endpoint, in this process."""

    def __init__(
        self,
        limit: int = LIMIT_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.clock = clock
        self.sleep = sleep
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, endpoint: str) -> float:
        """Block until a call to ``endpoint`` is allowed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                calls = self._calls.setdefault(endpoint, deque())
                while calls and now - calls[0] >= 60:
                    calls.popleft()
                if len(calls) < self.limit:
                    calls.append(now)
                    return waited
                pause = 60 - (now - calls[0])
            self.sleep(pause)
            waited += pause


THROTTLE = Throttle()


def _money(amount: Decimal) -> int:
    if amount != amount.to_integral_value() or amount <= 0:
        raise XenditError(f"Amounts are whole Rupiah above zero, not {amount}")
    return int(amount)


class XenditClient:
    def __init__(
        self,
        *,
        secret_key: str,
        for_user_id: str = "",
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        throttle: Throttle = THROTTLE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not secret_key:
            raise XenditError("No Xendit secret key is configured for this complex")
        token = base64.b64encode(f"{secret_key}:".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "api-version": API_VERSION}
        if for_user_id:
            headers["for-user-id"] = for_user_id
        self.http = httpx.Client(
            base_url=(base_url or settings.XENDIT_API_URL).rstrip("/"),
            headers=headers,
            timeout=TIMEOUT,
            transport=transport,
        )
        self.retries = retries
        self.backoff = backoff
        self.throttle = throttle
        self.sleep = sleep

    def close(self) -> None:
        self.http.close()

    # --- Transport ------------------------------------------------------------------

    def _call(self, method: str, path: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        """One request with retries on network errors and 5xx; 4xx raise at once."""
        for attempt in range(self.retries + 1):
            self.throttle.wait(endpoint)
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                error = XenditError(f"{method} {path}: {exc}", transient=True)
            else:
                if response.status_code < 400:
                    return dict(response.json())
                body = _error_body(response)
                error = XenditError(
                    f"{method} {path}: HTTP {response.status_code} {body.get('message', '')}",
                    status=response.status_code,
                    code=str(body.get("error_code", "")),
                    transient=response.status_code >= 500 or response.status_code == 429,
                )
                if response.status_code < 500:
                    raise error
            if attempt == self.retries:
                raise error
            self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _create(
        self, path: str, endpoint: str, body: dict[str, Any], find: Callable[[], Any]
    ) -> Any:
        """POST once; after a network failure or 5xx, look the object up before posting again."""
        try:
            return self._call("POST", path, endpoint, json=body)
        except XenditError as exc:
            if not exc.transient:
                raise
            existing = find()
            if existing is not None:
                return existing
            return self._call("POST", path, endpoint, json=body)

    # --- Payment Sessions ---------------------------------------------------------------

    def create_session(
        self,
        *,
        reference_id: str,
        amount: Decimal,
        description: str,
        channels: list[str],
        expires_at: datetime,
        success_url: str,
        cancel_url: str,
        customer: dict[str, Any],
        locale: str = "id",
    ) -> Session:
        body = {
            "reference_id": reference_id,
            "session_type": "PAY",
            "mode": "PAYMENT_LINK",
            "amount": _money(amount),
            "currency": "IDR",
            "country": "ID",
            "customer": customer,
            "allowed_payment_channels": channels,
            "expires_at": expires_at.isoformat(),
            "success_return_url": success_url,
            "cancel_return_url": cancel_url,
            "description": description[:1000],
            "locale": locale,
        }
        found = self._create("/sessions", "sessions", body, lambda: self.find_session(reference_id))
        return found if isinstance(found, Session) else Session.from_json(found)

    def get_session(self, session_id: str) -> Session:
        return Session.from_json(self._call("GET", f"/sessions/{session_id}", "sessions"))

    def find_session(self, reference_id: str) -> Session | None:
        found = self._find("/sessions", "sessions", reference_id)
        return Session.from_json(found) if found else None

    def _find(self, path: str, endpoint: str, reference_id: str) -> dict[str, Any] | None:
        # A lookup by reference id; the listing's exact shape is [UNCONFIRMED] in Xendit's docs.
        body = self._call("GET", path, endpoint, params={"reference_id": reference_id})
        items = body.get("data") or []
        return dict(items[0]) if items else None

    # --- Payments API v3 ------------------------------------------------------------------

    def create_qris(
        self, *, reference_id: str, amount: Decimal, expires_at: datetime, description: str
    ) -> PaymentRequest:
        body = {
            "reference_id": reference_id,
            "type": "PAY",
            "country": "ID",
            "currency": "IDR",
            "request_amount": _money(amount),
            "channel_code": "QRIS",
            "channel_properties": {"expires_at": expires_at.isoformat()},
            "description": description[:1000],
        }
        return self._create_payment_request(body)

    def create_fixed_va(
        self, *, reference_id: str, bank: str, display_name: str, expires_at: datetime
    ) -> PaymentRequest:
        """A unit's own virtual account number, reusable for every transfer."""
        body = {
            "reference_id": reference_id,
            "type": "REUSABLE_PAYMENT_CODE",
            "country": "ID",
            "currency": "IDR",
            "channel_code": bank,
            "channel_properties": {
                "display_name": display_name[:40],
                "expires_at": expires_at.isoformat(),
            },
        }
        return self._create_payment_request(body)

    def _create_payment_request(self, body: dict[str, Any]) -> PaymentRequest:
        reference_id = body["reference_id"]
        found = self._create(
            "/v3/payment_requests",
            "payment_requests",
            body,
            lambda: self.find_payment_request(reference_id),
        )
        return found if isinstance(found, PaymentRequest) else PaymentRequest.from_json(found)

    def get_payment_request(self, payment_request_id: str) -> PaymentRequest:
        return PaymentRequest.from_json(
            self._call("GET", f"/v3/payment_requests/{payment_request_id}", "payment_requests")
        )

    def find_payment_request(self, reference_id: str) -> PaymentRequest | None:
        found = self._find("/v3/payment_requests", "payment_requests", reference_id)
        return PaymentRequest.from_json(found) if found else None

    def get_payment(self, payment_id: str) -> CapturedPayment:
        return CapturedPayment.from_json(
            self._call("GET", f"/v3/payments/{payment_id}", "payments")
        )

    def simulate_payment(self, payment_request_id: str, amount: Decimal) -> dict[str, Any]:
        """Test mode only: pay a payment request; the result arrives by webhook."""
        return self._call(
            "POST",
            f"/v3/payment_requests/{payment_request_id}/simulate",
            "simulate",
            json={"amount": _money(amount)},
        )


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"message": response.text[:200]}
    return body if isinstance(body, dict) else {}
