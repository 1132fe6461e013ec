"""Delivery: retries with backoff, giving up, outages, and workers that die mid-send."""

from __future__ import annotations

import pytest
from django.test import Client

from klustera.notifications.models import Message
from klustera.notifications.services import MAX_ATTEMPTS, backoff, deliver, delivery, notify, sweep
from klustera.notifications.tests.conftest import APP_SECRET, REMINDER
from klustera.tenancy.context import tenant_context
from tests.metrics import sample

OTP = {"code": "123456"}


def _queue_whatsapp(tenant, user, template="payment_reminder", context=REMINDER):
    with tenant_context(tenant):
        rows = notify(recipient=user, template=template, context=context, channels=["whatsapp"])
    return rows[0].pk


def _status(tenant, pk: int) -> Message:
    with tenant_context(tenant):
        return Message.objects.get(pk=pk)


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 12)] == [30, 60, 120, 3600, 3600]


def test_server_errors_are_retried_with_backoff_then_sent(complex_a, resident, sim, clock) -> None:
    def outbox(outcome: str) -> float:
        return sample("klustera_outbox_deliveries_total", channel="whatsapp", outcome=outcome)

    before = {outcome: outbox(outcome) for outcome in ("queued", "sent")}
    pk = _queue_whatsapp(complex_a, resident)
    sim.failures.extend([503, 500])
    with tenant_context(complex_a):
        assert deliver(message_id=pk) == "queued"
        assert deliver(message_id=pk) == "not-due"  # backing off
        clock.advance(seconds=30)
        assert deliver(message_id=pk) == "queued"
        clock.advance(seconds=59)
        assert deliver(message_id=pk) == "not-due"
        clock.advance(seconds=1)
        assert deliver(message_id=pk) == "sent"
    message = _status(complex_a, pk)
    assert message.attempts == 3 and message.error == "" and len(sim.sent("whatsapp")) == 1
    # the outbox's metrics: two tries put back on the queue, one sent
    assert {outcome: outbox(outcome) - before[outcome] for outcome in before} == {
        "queued": 2,
        "sent": 1,
    }


def test_a_refused_message_fails_at_once_with_the_providers_reason(
    complex_a, resident, sim
) -> None:
    sim.whatsapp_token = "rotated-at-meta"  # our stored token is now wrong
    pk = _queue_whatsapp(complex_a, resident)
    with tenant_context(complex_a):
        assert deliver(message_id=pk) == "failed"
    message = _status(complex_a, pk)
    assert message.attempts == 1 and "190" in message.error and "Invalid OAuth" in message.error


def test_retries_give_up_after_the_last_attempt(complex_a, resident, sim, clock) -> None:
    pk = _queue_whatsapp(complex_a, resident)
    sim.down = True
    with tenant_context(complex_a):
        for _ in range(MAX_ATTEMPTS):
            deliver(message_id=pk)
            clock.advance(hours=1)
    message = _status(complex_a, pk)
    assert message.status == "failed" and message.attempts == MAX_ATTEMPTS
    assert "503" in message.error


def test_an_hour_long_outage_loses_and_duplicates_nothing(
    complex_a, resident, sim, clock, committed
) -> None:
    sim.down = True
    pks = [_queue_whatsapp(complex_a, resident) for _ in range(10)]
    for _ in range(12):  # the sweeper runs through an hour of outage, every five minutes
        committed(complex_a, sweep)
        clock.advance(minutes=5)
    assert sim.sent("whatsapp") == []
    sim.down = False
    for _ in range(4):
        committed(complex_a, sweep)
        clock.advance(minutes=30)
    assert len(sim.sent("whatsapp")) == 10
    assert {_status(complex_a, pk).status for pk in pks} == {"sent"}


def test_two_workers_cannot_send_the_same_message(complex_a, resident, sim) -> None:
    pk = _queue_whatsapp(complex_a, resident)
    with tenant_context(complex_a):
        Message.objects.filter(pk=pk).update(status="sending")  # another worker holds it
        assert deliver(message_id=pk) == "not-due"
    assert sim.sent("whatsapp") == []


class WorkerDied(BaseException):
    """Stands for the process being killed: not an Exception, so nothing catches it."""


@pytest.fixture
def dies_after_sending(monkeypatch):
    real = delivery._send

    def send_then_die(message):
        real(message)
        raise WorkerDied

    monkeypatch.setattr(delivery, "_send", send_then_die)
    return real


def test_a_send_whose_worker_died_is_matched_by_its_status_webhook_not_resent(
    complex_a, resident, sim, clock, dies_after_sending, committed
) -> None:
    pk = _queue_whatsapp(complex_a, resident)
    with tenant_context(complex_a), pytest.raises(WorkerDied):
        deliver(message_id=pk)
    assert _status(complex_a, pk).status == "sending"
    [sent] = sim.sent("whatsapp")
    # Meta reports the message, echoing our idempotency key.
    body, signature = sim.status_webhook(
        app_secret=APP_SECRET,
        wamid="wamid.SIM00000001",
        status="sent",
        to=sent.to,
        callback_data=sent.body["biz_opaque_callback_data"],
    )
    response = Client().post(
        "/c/alpha/api/v1/notifications/whatsapp/webhook",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature,
    )
    assert response.json()["data"] == {"updated": 1}
    clock.advance(minutes=10)  # the lease is long gone
    committed(complex_a, sweep)
    assert len(sim.sent("whatsapp")) == 1
    message = _status(complex_a, pk)
    assert message.status == "sent" and message.provider_message_id == "wamid.SIM00000001"


def test_without_a_webhook_a_died_send_is_sent_again_at_least_once(
    complex_a, resident, sim, clock, dies_after_sending, committed, monkeypatch
) -> None:
    """The documented edge: with no status webhook, a lost acknowledgement means a second copy."""
    pk = _queue_whatsapp(complex_a, resident)
    with tenant_context(complex_a), pytest.raises(WorkerDied):
        deliver(message_id=pk)
    monkeypatch.setattr(delivery, "_send", dies_after_sending)  # the next worker is healthy
    clock.advance(minutes=1)
    committed(complex_a, sweep)
    assert _status(complex_a, pk).status == "sending"  # the lease has not run out yet
    assert len(sim.sent("whatsapp")) == 1
    clock.advance(minutes=2)
    committed(complex_a, sweep)  # lease expired: sent again
    assert _status(complex_a, pk).status == "sent"
    assert _status(complex_a, pk).attempts == 2
    assert len(sim.sent("whatsapp")) == 2  # at least once: never lost, possibly twice
