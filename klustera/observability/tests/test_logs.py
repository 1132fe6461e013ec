"""Logs are JSON lines with the request's fields, and nothing secret or personal gets out."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest
import structlog
from django.test import Client

from klustera.accounts.services import create_user, issue_token
from klustera.billing.services import record_payment
from klustera.estate.models import Unit
from klustera.roles import Role
from klustera.tasks import tenant_task
from klustera.tenancy.context import tenant_context

PHONE = "+6281234567890"
TOKEN = "alpha." + "S" * 43


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the app's own log handler writes, as JSON lines."""
    formatter = next(
        handler.formatter
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    )
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(previous)


def _reaches_root(logger: logging.Logger) -> bool:
    current: logging.Logger | None = logger
    if logger.filters:  # a logger that chooses what it passes on (sentry_sdk's, outside debug)
        return False
    while current is not None and current.parent is not None:
        if not current.propagate or current.disabled:
            return False
        current = current.parent
    return True


def _events(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_a_request_logs_one_json_line_with_its_fields(tenant_a, lines) -> None:
    with tenant_context(tenant_a):
        user = create_user(phone="081300000002", name="Siti", roles=[Role.RESIDENT])
        token, _ = issue_token(user=user, device_name="hp")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_REQUEST_ID="edge-42").get(
        "/c/alpha/api/v1/auth/me?secret=1"
    )
    assert response.status_code == 200 and response["X-Request-ID"] == "edge-42"
    [finished] = [e for e in _events(lines) if e["event"] == "request_finished"]
    assert finished["request_id"] == "edge-42"
    assert finished["complex"] == "alpha" and finished["user_id"] == user.pk
    assert finished["route"] == "api/v1/auth/me" and finished["status"] == 200
    assert finished["method"] == "GET" and finished["duration_ms"] >= 0
    assert "secret=1" not in lines.getvalue() and token not in lines.getvalue()


def test_a_request_id_that_is_not_sane_is_replaced(tenant_a, lines) -> None:
    response = Client(HTTP_X_REQUEST_ID="x" * 300 + "\n{evil}").get("/healthz")
    assert response["X-Request-ID"] != "x" * 300 and len(response["X-Request-ID"]) == 36
    [finished] = [e for e in _events(lines) if e["event"] == "request_finished"]
    assert finished["request_id"] == response["X-Request-ID"]
    assert finished["route"] == "healthz"


def test_a_complex_home_is_logged_by_its_route_not_as_unmatched(tenant_a, lines) -> None:
    assert Client().get("/c/alpha/").status_code == 200  # its route template is empty
    assert Client().get("/c/alpha/no/such/page").status_code == 404
    finished = [e["route"] for e in _events(lines) if e["event"] == "request_finished"]
    assert finished == ["/", "<unmatched>"]


def test_nothing_secret_leaves_through_any_logger(lines) -> None:
    names = ["", *sorted(logging.root.manager.loggerDict)]
    for name in names:
        logging.getLogger(name).error(
            "to %s with Bearer %s and %s", PHONE, TOKEN, TOKEN, extra={"password": "pw-1"}
        )
    structlog.get_logger("klustera.test").error(
        "payment.booked", phone=PHONE, password="pw-1", otp_code="123456", token=TOKEN
    )
    written = lines.getvalue()
    reached = {event["logger"] for event in _events(lines)}
    propagating = {name or "root" for name in names if _reaches_root(logging.getLogger(name))}
    assert propagating <= reached and "klustera.test" in reached
    for secret in (PHONE, "081234567890", TOKEN, "S" * 43, "pw-1", "123456"):
        assert secret not in written, secret
    assert "\\u20267890" in written  # the last four digits say which number it was


@tenant_task("default")
def _log_something(word: str) -> None:
    structlog.get_logger("klustera.test").info("test.task_ran", word=word)


def test_the_request_id_travels_into_the_tasks_it_enqueues(tenant_a, lines) -> None:
    with (
        structlog.contextvars.bound_contextvars(request_id="cb-7"),
        tenant_context(tenant_a),
    ):
        _log_something("lunas")  # the queue runs it at once in tests, as a worker would
    [ran] = [e for e in _events(lines) if e["event"] == "test.task_ran"]
    assert (ran["request_id"], ran["complex"], ran["word"]) == ("cb-7", "alpha", "lunas")


def test_the_key_events_are_named_lines(tenant_a, lines) -> None:
    with tenant_context(tenant_a):
        create_user(phone="081300000002", name="Siti", password="x-pass-123", roles=[Role.RESIDENT])
        unit = Unit.objects.create(block="A", number="01")
        record_payment(unit=unit, amount=Decimal("250000"), method="cash")
    Client().post("/c/alpha/login", {"username": "081300000002", "password": "salah"})
    Client().post("/c/alpha/api/v1/auth/login", {"phone": "0812"}, content_type="application/json")
    by_name = {e["event"]: e for e in _events(lines)}
    assert by_name["payment.booked"]["amount"] == "250000"
    assert by_name["payment.booked"]["complex"] == "alpha"
    assert by_name["auth.login_failed"]["phone"] == "\u20260002"  # never the whole number
    assert by_name["api.validation_failed"]["fields"] == ["password", "phone"]
    assert "0812" not in json.dumps(by_name["api.validation_failed"])
