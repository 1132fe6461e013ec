"""A complex's choice of provider decides where its messages go."""

from __future__ import annotations

import logging

from klustera.notifications.models import Message, NotificationSettings, PushSubscription
from klustera.notifications.services import notify, subscribe_push, update_settings
from klustera.notifications.tasks import sweep_outboxes
from klustera.notifications.tests.conftest import configure
from klustera.tenancy.context import tenant_context

REMINDER = {
    "name": "Siti",
    "unit": "A-01",
    "amount": "Rp 100.000",
    "due_date": "1 Des",
    "link": "x",
}


def test_a_complex_on_fonnte_sends_the_rendered_text(tenant_a, resident, sim, committed) -> None:  # type: ignore[no-untyped-def]
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
        assert Message.objects.get().provider == "fonnte"


def test_the_embedded_default_writes_messages_to_the_log(
    tenant_a, resident, sim, committed, caplog
) -> None:  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
    from klustera.notifications.tests.test_channels import _browser_keys

    with tenant_context(complex_a):
        for name in ("phone", "laptop"):
            _, p256dh, _, auth = _browser_keys()
            subscribe_push(
                user=resident, endpoint=f"{sim.base_url}/push/{name}", p256dh=p256dh, auth=auth
            )
    sim.gone_push.add("laptop")
    committed(
        complex_a,
        lambda: notify(
            recipient=resident,
            template="walkin_approval",
            context={"visitor": "Kurir JNE", "purpose": "paket", "unit": "A-01", "link": "x"},
            channels=["push"],
        ),
    )
    assert [r.to for r in sim.sent("push")] == ["phone"]
    assert sim.sent("push")[0].body["urgency"] == "high"
    with tenant_context(complex_a):
        assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
            f"{sim.base_url}/push/phone"
        ]
        assert sorted(Message.objects.values_list("status", flat=True)) == ["failed", "sent"]


def test_the_periodic_sweep_works_through_every_complex(
    complex_a, resident, tenant_b, sim, clock
) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(complex_a):
        notify(
            recipient=resident, template="payment_reminder", context=REMINDER, channels=["whatsapp"]
        )
    # Queued in the transaction that never committed here: the sweeper finds and sends it.
    assert sweep_outboxes.call_local() == 1
    assert len(sim.sent("whatsapp")) == 1
    assert sweep_outboxes.call_local() == 0
