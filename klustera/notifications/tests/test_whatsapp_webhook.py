"""Meta's webhook: the handshake, signatures, status progress and inbound messages."""

from __future__ import annotations

from django.test import Client

from klustera.notifications.models import Message, WhatsAppWindow
from klustera.notifications.services import deliver, notify
from klustera.notifications.tests.conftest import APP_SECRET, REMINDER, VERIFY_TOKEN, configure
from klustera.tenancy.context import tenant_context

URL = "/c/alpha/api/v1/notifications/whatsapp/webhook"


def _sent_message(tenant, user) -> Message:
    with tenant_context(tenant):
        [row] = notify(
            recipient=user, template="payment_reminder", context=REMINDER, channels=["whatsapp"]
        )
        deliver(message_id=row.pk)
        return Message.objects.get(pk=row.pk)


def _post(sim, message: Message, status: str, *, url: str = URL, secret: str = APP_SECRET, **extra):
    body, signature = sim.status_webhook(
        app_secret=secret,
        wamid=message.provider_message_id,
        status=status,
        to="6281234500001",
        **extra,
    )
    return Client().post(
        url, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )


def test_the_subscribe_handshake_echoes_the_challenge_only_for_our_token(complex_a) -> None:
    ok = Client().get(
        URL,
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = Client().get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "PERMISSION_DENIED"


def test_statuses_move_forward_only(complex_a, resident, sim) -> None:
    message = _sent_message(complex_a, resident)
    assert _post(sim, message, "read").json()["data"] == {"updated": 1}
    _post(sim, message, "delivered")  # arrives late: changes nothing
    with tenant_context(complex_a):
        stored = Message.objects.get(pk=message.pk)
    assert stored.status == "read" and stored.read_at is not None


def test_a_failure_before_delivery_fails_the_message(complex_a, resident, sim) -> None:
    message = _sent_message(complex_a, resident)
    _post(sim, message, "failed", errors=[{"code": 131026, "title": "Message undeliverable"}])
    with tenant_context(complex_a):
        stored = Message.objects.get(pk=message.pk)
    assert stored.status == "failed" and stored.error == "131026 Message undeliverable"


def test_a_failure_after_delivery_is_noted_but_delivery_stands(complex_a, resident, sim) -> None:
    message = _sent_message(complex_a, resident)
    _post(sim, message, "delivered")
    _post(sim, message, "failed", errors=[{"code": 131000, "title": "Something went wrong"}])
    with tenant_context(complex_a):
        stored = Message.objects.get(pk=message.pk)
    assert stored.status == "delivered" and "131000" in stored.error


def test_forged_or_unsigned_events_are_rejected_and_change_nothing(
    complex_a, resident, sim
) -> None:
    message = _sent_message(complex_a, resident)
    forged = _post(sim, message, "read", secret="not-the-app-secret")
    assert forged.status_code == 403
    body, _ = sim.status_webhook(
        app_secret=APP_SECRET, wamid=message.provider_message_id, status="read", to="x"
    )
    unsigned = Client().post(URL, body, content_type="application/json")
    assert unsigned.status_code == 403
    with tenant_context(complex_a):
        assert Message.objects.get(pk=message.pk).status == "sent"


def test_a_signed_but_malformed_body_is_a_validation_error(complex_a) -> None:
    import hashlib
    import hmac

    body = b"[not json"
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = Client().post(
        URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_a_resident_who_writes_opens_the_24_hour_window_for_free_text(
    complex_a, resident, sim
) -> None:
    body, signature = sim.status_webhook(
        app_secret=APP_SECRET, wamid="", status="", to="", inbound_from="6281234500001"
    )
    Client().post(URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)
    with tenant_context(complex_a):
        assert WhatsAppWindow.objects.filter(phone="+6281234500001").exists()
    sim.open_windows.add("6281234500001")
    _sent_message(complex_a, resident)
    [sent] = sim.sent("whatsapp")
    assert sent.body["type"] == "text" and "Rp 100.000" in sent.body["text"]["body"]


def test_another_complexs_events_do_not_touch_this_complex(
    complex_a, resident, tenant_b, sim
) -> None:
    configure(tenant_b, sim, whatsapp_app_secret="app-secret-beta")
    message = _sent_message(complex_a, resident)
    # Alpha's event at beta's URL: beta's secret does not verify it.
    assert _post(sim, message, "read", url=URL.replace("alpha", "beta")).status_code == 403
    # Signed with beta's secret at beta's URL: beta has no such message.
    signed_for_beta = _post(
        sim, message, "read", url=URL.replace("alpha", "beta"), secret="app-secret-beta"
    )
    assert signed_for_beta.json()["data"] == {"updated": 0}
    with tenant_context(complex_a):
        assert Message.objects.get(pk=message.pk).status == "sent"
