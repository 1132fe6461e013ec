"""Each provider client against the simulator: request shape, authentication, errors."""

from __future__ import annotations

import base64
import json
import os

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail

from klustera.notifications import clients
from klustera.notifications.clients import ProviderError


def test_whatsapp_template_request_carries_auth_name_language_and_ordered_params(sim) -> None:
    client = clients.WhatsAppCloudClient(sim.phone_number_id, sim.whatsapp_token)
    wamid = client.send_template(
        to="+6281234500001",
        name="klustera_invoice_issued",
        language="id",
        params=["Siti", "Des 2026", "A-01", "Rp 250.000"],
        callback_data="key-1",
    )
    assert wamid.startswith("wamid.SIM")
    [request] = sim.sent("whatsapp")
    assert request.headers["authorization"] == f"Bearer {sim.whatsapp_token}"
    assert request.to == "6281234500001"
    assert request.body["template"] == {
        "name": "klustera_invoice_issued",
        "language": {"code": "id"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Siti"},
                    {"type": "text", "text": "Des 2026"},
                    {"type": "text", "text": "A-01"},
                    {"type": "text", "text": "Rp 250.000"},
                ],
            }
        ],
    }
    assert request.body["biz_opaque_callback_data"] == "key-1"


def test_whatsapp_free_text_outside_the_window_is_refused_for_good(sim) -> None:
    client = clients.WhatsAppCloudClient(sim.phone_number_id, sim.whatsapp_token)
    with pytest.raises(ProviderError, match="131047") as refused:
        client.send_text(to="+6281234500001", body="Halo", callback_data="k")
    assert refused.value.transient is False
    sim.open_windows.add("6281234500001")
    assert client.send_text(to="+6281234500001", body="Halo", callback_data="k")


def test_whatsapp_bad_token_is_permanent_and_server_errors_are_transient(sim) -> None:
    bad = clients.WhatsAppCloudClient(sim.phone_number_id, "wrong")
    with pytest.raises(ProviderError, match="190") as exc:
        bad.send_template(
            to="62811", name="klustera_otp", language="id", params=["1"], callback_data=""
        )
    assert not exc.value.transient
    sim.failures.append(503)
    good = clients.WhatsAppCloudClient(sim.phone_number_id, sim.whatsapp_token)
    with pytest.raises(ProviderError) as exc:
        good.send_template(
            to="62811", name="klustera_otp", language="id", params=["1"], callback_data=""
        )
    assert exc.value.transient


def test_an_unreachable_provider_is_transient(settings) -> None:
    settings.WHATSAPP_GRAPH_URL = "http://127.0.0.1:9/v21.0"  # nothing listens on the discard port
    client = clients.WhatsAppCloudClient("1", "t")
    with pytest.raises(ProviderError) as exc:
        client.send_text(to="62811", body="x", callback_data="")
    assert exc.value.transient


def test_fonnte_sends_form_with_device_token(sim) -> None:
    message_id = clients.FonnteClient(sim.fonnte_token).send(to="+6281234500001", body="Tagihan")
    assert message_id
    [request] = sim.sent("fonnte")
    assert request.headers["authorization"] == sim.fonnte_token
    assert request.body == {"target": "6281234500001", "message": "Tagihan", "countryCode": "62"}
    with pytest.raises(ProviderError, match="invalid token") as exc:
        clients.FonnteClient("nope").send(to="+62812", body="x")
    assert not exc.value.transient


def test_twilio_sms_uses_basic_auth_and_reports_bad_numbers(sim) -> None:
    sms = clients.TwilioSmsClient(sim.twilio_sid, sim.twilio_token, "+15005550006")
    assert sms.send(to="+6281234500001", body="Kode 123456").startswith("SM")
    [request] = sim.sent("twilio")
    assert request.body == {"To": "+6281234500001", "From": "+15005550006", "Body": "Kode 123456"}
    with pytest.raises(ProviderError, match="21211") as exc:
        sms.send(to="0812", body="x")
    assert not exc.value.transient
    with pytest.raises(ProviderError, match="20003"):
        clients.TwilioSmsClient(sim.twilio_sid, "bad", "+1").send(to="+62811", body="x")


def test_email_has_text_and_html_parts_and_a_stable_message_id(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message_id = clients.send_email(
        to="siti@example.id",
        subject="Tagihan",
        text="Halo Siti",
        html="<p>Halo Siti</p>",
        sender="a@b.id",
        idempotency_key="123e4567-e89b-12d3-a456-426614174000",
    )
    [sent] = mail.outbox
    assert sent.to == ["siti@example.id"] and sent.body == "Halo Siti"
    assert sent.alternatives[0][1] == "text/html"
    assert sent.extra_headers["Message-ID"] == message_id
    assert "123e4567e89b12d3a456426614174000" in message_id


def _browser_keys() -> tuple[ec.EllipticCurvePrivateKey, str, bytes, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")  # noqa: E731
    return private, b64(public), auth, b64(auth)


def test_web_push_is_encrypted_for_the_browser_and_replaces_by_topic(sim) -> None:
    private, p256dh, auth_raw, auth = _browser_keys()
    endpoint = f"{sim.base_url}/push/browser-1"
    for text in ("first", "second"):
        clients.send_push(
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            payload={"title": "Tamu", "body": text},
            topic="walkin42",
            urgent=True,
        )
    first, second = sim.sent("push")
    assert first.headers["authorization"].startswith("vapid t=")
    assert second.body == {"topic": "walkin42", "urgency": "high"}
    # The push service holds one message for the topic: the second replaced the first.
    [pending] = sim.push_pending["browser-1"].values()
    plain = http_ece.decrypt(
        pending, private_key=private, auth_secret=auth_raw, version="aes128gcm"
    )
    assert json.loads(plain) == {"title": "Tamu", "body": "second"}


def test_web_push_refuses_unknown_hosts_and_reports_gone_subscriptions(sim) -> None:
    _, p256dh, _, auth = _browser_keys()
    with pytest.raises(ProviderError, match="not a known push service"):
        clients.send_push(
            endpoint="https://evil.example/push/1",
            p256dh=p256dh,
            auth=auth,
            payload={},
            topic="t",
            urgent=False,
        )
    sim.gone_push.add("old")
    with pytest.raises(ProviderError) as exc:
        clients.send_push(
            endpoint=f"{sim.base_url}/push/old",
            p256dh=p256dh,
            auth=auth,
            payload={},
            topic="t",
            urgent=False,
        )
    assert exc.value.status == 410 and not exc.value.transient
