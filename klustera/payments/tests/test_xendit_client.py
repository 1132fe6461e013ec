"""The Xendit client's own rules: auth, whole Rupiah, retries, no second charge, throttle."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from klustera.payments.xendit import Throttle, XenditClient, XenditError

SESSION = {
    "payment_session_id": "ps-1",
    "reference_id": "ref-1",
    "status": "ACTIVE",
    "amount": 250000,
    "payment_link_url": "https://checkout/ps-1",
    "expires_at": "2026-12-01T00:00:00Z",
}


def _client(handler, **kwargs) -> XenditClient:
    return XenditClient(
        secret_key="xnd_development_x",
        for_user_id="sub-1",
        base_url="https://api.xendit.test",
        transport=httpx.MockTransport(handler),
        sleep=lambda seconds: None,
        throttle=Throttle(sleep=lambda seconds: None),
        **kwargs,
    )


def _create(client: XenditClient, amount: str = "250000"):
    return client.create_session(
        reference_id="ref-1",
        amount=Decimal(amount),
        description="IPL",
        channels=["QRIS"],
        expires_at=datetime(2026, 12, 1, tzinfo=UTC),
        success_url="https://x/ok",
        cancel_url="https://x/back",
        customer={"reference_id": "unit-1", "type": "INDIVIDUAL"},
    )


def test_requests_carry_basic_auth_the_sub_account_and_whole_rupiah() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=SESSION)

    session = _create(_client(handler))
    assert session.id == "ps-1" and session.amount == Decimal(250000)
    request = seen[0]
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(b"xnd_development_x:").decode()
    )
    assert request.headers["for-user-id"] == "sub-1"
    assert json.loads(request.content)["amount"] == 250000
    with pytest.raises(XenditError, match="whole Rupiah"):
        _create(_client(handler), amount="1500.50")


def test_a_lost_answer_is_looked_up_by_reference_before_creating_again() -> None:
    posts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal posts
        if request.method == "POST":
            posts += 1
            raise httpx.ReadTimeout("the session was created, the answer was lost")
        assert request.url.params["reference_id"] == "ref-1"
        return httpx.Response(200, json={"data": [SESSION]})

    client = _client(handler, retries=0)
    assert _create(client).id == "ps-1"
    assert posts == 1  # found, not created twice


def test_5xx_is_retried_with_backoff_and_4xx_is_not() -> None:
    calls: list[int] = []
    answers = [503, 502, 201]

    def flaky(request: httpx.Request) -> httpx.Response:
        code = answers[len(calls)]
        calls.append(code)
        return httpx.Response(code, json=SESSION if code == 201 else {"message": "busy"})

    waits: list[float] = []
    client = _client(flaky)
    client.sleep = waits.append
    assert client.get_session("ps-1").id == "ps-1"
    assert calls == [503, 502, 201] and waits == [0.5, 1.0]

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(400)
        return httpx.Response(400, json={"error_code": "API_VALIDATION_ERROR", "message": "no"})

    calls.clear()
    with pytest.raises(XenditError) as error:
        _client(refused).get_session("ps-1")
    assert calls == [400] and error.value.code == "API_VALIDATION_ERROR"
    assert not error.value.transient


def test_the_throttle_keeps_each_endpoint_under_its_limit_per_minute() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(limit=3, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        assert throttle.wait("sessions") == 0
    assert throttle.wait("payment_requests") == 0  # another endpoint has its own budget
    now[0] = 20.0
    assert throttle.wait("sessions") == pytest.approx(40.0)  # until the first call is a minute old
    assert slept == [pytest.approx(40.0)]
