"""A complex's choice of provider decides where its messages go."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import http_ece

from klustera.notifications.models import Message, NotificationSettings, PushSubscription
from klustera.notifications.services import notify, subscribe_push, update_settings
from klustera.notifications.tasks import sweep_outboxes
from klustera.notifications.tests.conftest import REMINDER, configure
from klustera.tenancy.context import tenant_context


def test_a_complex_on_fonnte_sends_the_rendered_text(tenant_a, resident, sim, committed) -> None:
    configure(tenant_a, sim, whatsapp_provider="fonnte", fonnte_token=sim.fonnte_token)
    committed(
        tenant_a,
        lambda: notify(
            recipient=resident, template="payment_reminder", context=REMINDER, channels=["whatsapp"]
        ),
    )
    [sent] = sim.sent("fonnte")
    assert sent.to == "6281234500001"
    assert sent.body["message"].startswith("Halo Siti, tagihan unit A-01 sebesar Rp 100.000")
    with tenant_context(tenant_a):
        assert Message.objects.get(channel="whatsapp").provider == "fonnte"


def test_the_embedded_default_writes_messages_to_the_log(
    tenant_a, resident, sim, committed, caplog
) -> None:
    with tenant_context(tenant_a):
        update_settings(
            changes={"whatsapp_provider": NotificationSettings.WhatsAppProvider.CONSOLE}
        )
    with caplog.at_level(logging.WARNING, logger="klustera.notifications.services"):
        committed(
            tenant_a,
            lambda: notify(
                recipient=resident,
                template="otp",
                context={"code": "654321"},
                channels=["whatsapp"],
            ),
        )
    assert "654321" in caplog.text and sim.received == []
    with tenant_context(tenant_a):
        assert Message.objects.get().status == "sent"


def test_push_reaches_each_subscribed_browser_and_drops_expired_ones(
    complex_a, resident, sim, committed
) -> None:
    from klustera.notifications.tests.test_channels import _browser_keys

    browsers = {}
    with tenant_context(complex_a):
        for name in ("phone", "laptop"):
            private, p256dh, auth_raw, auth = browsers[name] = _browser_keys()
            subscribe_push(
                user=resident, endpoint=f"{sim.base_url}/push/{name}", p256dh=p256dh, auth=auth
            )
    sim.gone_push.add("laptop")
    link = "https://graha.example/guests/"
    committed(
        complex_a,
        lambda: notify(
            recipient=resident,
            template="walkin_approval",
            context={"visitor": "Kurir JNE", "purpose": "paket", "unit": "A-01", "link": link},
            channels=["push"],
        ),
    )
    assert [r.to for r in sim.sent("push")] == ["phone"]
    [pending] = sim.push_pending["phone"].values()
    private, _, auth_raw, _ = browsers["phone"]
    plain = http_ece.decrypt(
        pending, private_key=private, auth_secret=auth_raw, version="aes128gcm"
    )
    assert json.loads(plain)["url"] == link  # the page a click on the notification opens
    assert sim.sent("push")[0].body["urgency"] == "high"
    with tenant_context(complex_a):
        assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
            f"{sim.base_url}/push/phone"
        ]
        assert sorted(
            Message.objects.exclude(channel="inbox").values_list("status", flat=True)
        ) == ["failed", "sent"]


def test_the_periodic_sweep_works_through_every_complex(
    complex_a, resident, tenant_b, sim, clock
) -> None:
    with tenant_context(complex_a):
        notify(
            recipient=resident, template="payment_reminder", context=REMINDER, channels=["whatsapp"]
        )
    # Queued in the transaction that never committed here: the sweeper finds and sends it.
    assert sweep_outboxes.call_local() == 1
    assert len(sim.sent("whatsapp")) == 1
    assert sweep_outboxes.call_local() == 0


def test_twilio_status_callbacks_are_verified_and_move_the_sms_forward(
    complex_a, resident, sim, committed
) -> None:
    from django.test import Client

    from klustera.notifications.clients import twilio_signature

    committed(
        complex_a,
        lambda: notify(
            recipient=resident, template="otp", context={"code": "777111"}, channels=["sms"]
        ),
    )
    [sms] = sim.sent("twilio")
    callback = sms.body["StatusCallback"]
    assert callback == "http://localhost:8000/c/alpha/api/v1/notifications/twilio/status"
    with tenant_context(complex_a):
        sid = Message.objects.get().provider_message_id
    url = "http://testserver/c/alpha/api/v1/notifications/twilio/status"
    params = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": sim.twilio_sid}

    def post(signature: str):
        # As Twilio posts: a urlencoded form.
        return Client().post(
            url,
            urlencode(params),
            HTTP_X_TWILIO_SIGNATURE=signature,
            content_type="application/x-www-form-urlencoded",
        )

    assert post("bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert post(twilio_signature(sim.twilio_token, url, params)).json()["data"] == {"updated": 1}
    params["MessageStatus"] = "undelivered"  # a late, contradicting report changes nothing
    post(twilio_signature(sim.twilio_token, url, params))
    with tenant_context(complex_a):
        message = Message.objects.get()
    assert message.status == "delivered" and message.delivered_at is not None
