"""The managers' outbox and provider settings pages."""

from __future__ import annotations

from django.test import Client

from klustera.notifications.models import Message, NotificationSettings
from klustera.notifications.services import deliver, notify
from klustera.notifications.tests.conftest import REMINDER
from klustera.tenancy.context import tenant_context


def _signed_in(phone: str) -> Client:
    client = Client()
    response = client.post("/c/alpha/login", {"username": phone, "password": "pw-123456"})
    assert response.status_code == 302
    return client


def test_the_outbox_page_lists_and_filters_messages(
    complex_a, resident, sim, manager_token
) -> None:
    sim.failures.append(400)
    with tenant_context(complex_a):
        [failed] = notify(
            recipient=resident, template="payment_reminder", context=REMINDER, channels=["whatsapp"]
        )
        deliver(message_id=failed.pk)
        notify(
            recipient=resident, template="payment_reminder", context=REMINDER, channels=["email"]
        )
    client = _signed_in("081234500009")
    page = client.get("/c/alpha/manage/notifications/").content.decode()
    assert page.count('class="badge') == 2
    only_failed = client.get("/c/alpha/manage/notifications/?status=failed").content.decode()
    assert only_failed.count('class="badge') == 1 and "simulated failure" in only_failed
    assert f"/c/alpha/manage/notifications/{failed.pk}/resend" in only_failed


def test_a_manager_resends_from_the_page(
    complex_a, resident, sim, manager_token, committed
) -> None:
    sim.failures.append(400)
    with tenant_context(complex_a):
        [failed] = notify(
            recipient=resident, template="payment_reminder", context=REMINDER, channels=["whatsapp"]
        )
        deliver(message_id=failed.pk)
    client = _signed_in("081234500009")
    response = committed(
        complex_a,
        lambda: client.post(f"/c/alpha/manage/notifications/{failed.pk}/resend", follow=True),
    )
    assert "Pesan dimasukkan ke antrean untuk dikirim ulang." in response.content.decode()
    assert len(sim.sent("whatsapp")) == 1


def test_residents_and_strangers_cannot_open_manager_pages(complex_a, resident) -> None:
    assert Client().get("/c/alpha/manage/notifications/").status_code == 302
    client = _signed_in("081234500001")
    assert client.get("/c/alpha/manage/notifications/").status_code == 403
    assert client.get("/c/alpha/manage/notifications/settings").status_code == 403


def test_settings_keep_a_secret_left_blank_and_test_buttons_send(
    complex_a, sim, manager_token, committed
) -> None:
    client = _signed_in("081234500009")
    page = client.get("/c/alpha/manage/notifications/settings").content.decode()
    assert sim.whatsapp_token not in page
    form = {
        "whatsapp_provider": "meta_cloud",
        "whatsapp_phone_number_id": sim.phone_number_id,
        "sms_provider": "twilio",
        "twilio_account_sid": sim.twilio_sid,
        "twilio_from": "+15005550006",
        "email_from": "",
        "quiet_start": "22:00",
        "quiet_end": "06:00",
        "whatsapp_access_token": "",
    }
    assert client.post("/c/alpha/manage/notifications/settings", form).status_code == 302
    with tenant_context(complex_a):
        saved = NotificationSettings.objects.get()
    assert saved.whatsapp_access_token and str(saved.quiet_start) == "22:00:00"
    committed(
        complex_a,
        lambda: client.post("/c/alpha/manage/notifications/test", {"channel": "whatsapp"}),
    )
    [sent] = sim.sent("whatsapp")
    assert sent.to == "6281234500009" and sent.body["template"]["name"] == "klustera_test"
    with tenant_context(complex_a):
        assert Message.objects.get().status == "sent"
