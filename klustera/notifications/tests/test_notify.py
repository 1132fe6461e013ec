"""Queueing a message: channels, consent, language, quiet hours, secrets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connections

from klustera.accounts.services import create_user
from klustera.notifications.models import Channel, Message
from klustera.notifications.services import (
    Address,
    NotificationError,
    deliver,
    notify,
    set_preferences,
    update_settings,
)
from klustera.roles import Role
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context

INVOICE = {
    "name": "Siti",
    "period": "Desember 2026",
    "unit": "A-01",
    "amount": Decimal("1250000"),
    "due_date": date(2026, 12, 10),
    "link": "https://x/i/1",
}


@pytest.fixture(autouse=True)
def _locmem_email(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_invoice_reaches_the_resident_on_whatsapp_and_email(
    complex_a, resident, sim, committed
) -> None:
    rows = committed(
        complex_a, lambda: notify(recipient=resident, template="invoice_issued", context=INVOICE)
    )
    assert {r.channel for r in rows} == {Channel.WHATSAPP, Channel.EMAIL}  # no push subscription
    [whatsapp] = sim.sent("whatsapp")
    params = [p["text"] for p in whatsapp.body["template"]["components"][0]["parameters"]]
    assert params == [
        "Siti",
        "Desember 2026",
        "A-01",
        "Rp 1.250.000",
        "10 Des 2026",
        "https://x/i/1",
    ]
    assert whatsapp.body["template"]["language"] == {"code": "id"}
    [email] = mail.outbox
    assert email.subject == "Tagihan IPL Desember 2026 unit A-01"
    assert "Rp 1.250.000" in email.body and "jatuh tempo 10 Des 2026" in email.body
    with tenant_context(complex_a):
        statuses = dict(Message.objects.values_list("channel", "status"))
        assert statuses == {"whatsapp": "sent", "email": "sent", "inbox": "delivered"}
        assert Message.objects.get(channel="whatsapp").provider_message_id.startswith("wamid.SIM")


def test_no_whatsapp_without_a_recorded_opt_in(complex_a, sim, committed) -> None:
    with tenant_context(complex_a):
        user = create_user(phone="081234500002", name="Budi", roles=[Role.RESIDENT])
    committed(complex_a, lambda: notify(recipient=user, template="invoice_issued", context=INVOICE))
    assert sim.sent("whatsapp") == []
    with tenant_context(complex_a):
        whatsapp = Message.objects.get(channel="whatsapp")
        email = Message.objects.get(channel="email")
    assert whatsapp.status == "skipped" and whatsapp.skip_reason == "no WhatsApp opt-in recorded"
    assert email.status == "skipped" and email.skip_reason == "no email address"


def test_the_recipients_language_is_used(complex_a, resident, sim, committed) -> None:
    with tenant_context(complex_a):
        resident.language = "en"
        resident.save()
    committed(
        complex_a, lambda: notify(recipient=resident, template="invoice_issued", context=INVOICE)
    )
    [whatsapp] = sim.sent("whatsapp")
    assert whatsapp.body["template"]["language"] == {"code": "en"}
    assert "10 Dec 2026" in [
        p["text"] for p in whatsapp.body["template"]["components"][0]["parameters"]
    ]
    assert mail.outbox[0].subject == "Service fee Desember 2026, A-01"
    assert "has been issued, due 10 Dec 2026" in mail.outbox[0].body


def test_preferences_choose_the_channels(complex_a, resident, sim, committed) -> None:
    with tenant_context(complex_a):
        set_preferences(user=resident, choices={"billing": ["email"]})
    rows = committed(
        complex_a, lambda: notify(recipient=resident, template="invoice_issued", context=INVOICE)
    )
    assert [r.channel for r in rows] == ["email"]
    assert sim.sent("whatsapp") == []


def test_quiet_hours_hold_billing_but_not_security(
    complex_a, resident, sim, committed, clock
) -> None:
    with tenant_context(complex_a):
        update_settings(changes={"quiet_start": time(21, 0), "quiet_end": time(7, 0)})
    clock.now = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # 22:30 WIB
    [held, _] = committed(
        complex_a, lambda: notify(recipient=resident, template="invoice_issued", context=INVOICE)
    )
    assert held.status == "queued"
    assert held.next_attempt_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 07:00 WIB
    committed(
        complex_a, lambda: notify(recipient=resident, template="otp", context={"code": "482913"})
    )
    assert [r.to for r in sim.sent("whatsapp")] == ["6281234500001"]  # only the OTP went out


def test_codes_never_sit_in_the_outbox_in_plain_text(complex_a, resident, sim, committed) -> None:
    with tenant_context(complex_a):
        [row] = notify(recipient=resident, template="otp", context={"code": "482913"})
        with connections[alias_for(complex_a)].cursor() as cursor:
            cursor.execute("SELECT context, secret_ciphertext FROM notifications_message")
            stored_context, cipher = cursor.fetchone()
    assert "482913" not in stored_context and "482913" not in cipher and cipher.startswith("v1.")
    assert row.context == {"code": "••••••"}
    committed(complex_a, lambda: deliver(message_id=row.pk))
    [sent] = sim.sent("whatsapp")
    assert sent.body["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "482913"}
    ]
    with tenant_context(complex_a):
        after = Message.objects.get(pk=row.pk)
    assert after.status == "sent" and after.secret_ciphertext == ""


def test_non_users_can_be_reached_with_their_stated_opt_in(complex_a, sim, committed) -> None:
    guest = Address(name="Tamu", phone="+6281299990000", language="en", whatsapp_opt_in=True)
    committed(
        complex_a,
        lambda: notify(
            recipient=guest,
            template="guest_invitation",
            context={
                "guest": "Tamu",
                "host": "Siti",
                "complex": "Alpha",
                "window": "25 Nov 18:00",
                "code": "K7PQ2MXA",
            },
        ),
    )
    [sent] = sim.sent("whatsapp")
    assert sent.body["template"]["name"] == "klustera_guest_invitation"


def test_unknown_templates_and_missing_parameters_are_refused(complex_a, resident) -> None:
    with tenant_context(complex_a):
        with pytest.raises(NotificationError, match="Unknown message template"):
            notify(recipient=resident, template="nope", context={})
        with pytest.raises(ValueError, match="needs amount"):
            notify(
                recipient=resident,
                template="payment_reminder",
                context={"name": "x", "unit": "x", "due_date": "x", "link": "x"},
            )
        assert Message.objects.count() == 0


def test_a_malformed_guest_phone_is_refused_before_anything_is_stored(complex_a) -> None:
    with tenant_context(complex_a):
        with pytest.raises(NotificationError, match="not a phone number"):
            notify(
                recipient=Address(name="Tamu", phone="12-34", whatsapp_opt_in=True),
                template="test",
                context={"complex": "x"},
                channels=["whatsapp"],
            )
        assert Message.objects.count() == 0
