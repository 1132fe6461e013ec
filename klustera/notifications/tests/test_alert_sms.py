"""Critical alerts by SMS: Alertmanager's webhook payload in, one SMS per firing alert and
number out through Twilio's API (the simulator), and a 502 Alertmanager retries on failure."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from klustera.notifications.alerts import server

PAYLOAD = {
    "version": "4",
    "status": "firing",
    "receiver": "on-call",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "KlusteraServerErrors", "severity": "critical"},
            "annotations": {"summary": "More than 5 % of requests fail with a 5xx"},
        },
        {
            "status": "resolved",
            "labels": {"alertname": "KlusteraDown", "severity": "critical"},
            "annotations": {"summary": "Klustera does not answer its scrape"},
        },
    ],
}


@pytest.fixture
def relay(settings, sim) -> Iterator[str]:
    settings.ALERT_SMS_TO = ["+6281100000001", "+6281100000002"]
    settings.ALERT_TWILIO_ACCOUNT_SID = sim.twilio_sid
    settings.ALERT_TWILIO_AUTH_TOKEN = sim.twilio_token
    settings.ALERT_TWILIO_FROM = "+15005550006"
    httpd = server("127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/alerts"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_firing_alert_reaches_every_number_by_sms(relay, sim) -> None:
    assert httpx.post(relay, json=PAYLOAD, timeout=10).status_code == 200
    sent = sim.sent("twilio")
    assert sorted(m.to for m in sent) == ["+6281100000001", "+6281100000002"]
    assert {m.body["Body"] for m in sent} == {
        "Klustera CRITICAL: More than 5 % of requests fail with a 5xx"
    }  # the resolved one is not sent


def test_a_failed_send_asks_alertmanager_to_retry(relay, sim, settings) -> None:
    settings.ALERT_TWILIO_AUTH_TOKEN = "wrong"
    assert httpx.post(relay, json=PAYLOAD, timeout=10).status_code == 502
    assert httpx.post(relay, content=b"not json", timeout=10).status_code == 400
    assert httpx.post(relay.replace("/alerts", "/x"), json=PAYLOAD, timeout=10).status_code == 400


def test_the_relay_refuses_to_start_without_numbers_or_account(settings) -> None:
    settings.ALERT_SMS_TO = []
    with pytest.raises(CommandError, match="ALERT_SMS_TO"):
        call_command("alert-sms")
