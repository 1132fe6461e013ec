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


def test_the_quiet_hours_show_and_save_in_indonesian(complex_a, manager_token) -> None:
    client = _signed_in("081234500009")
    page = client.get("/c/alpha/manage/notifications/settings").content.decode()
    assert 'type="time" name="quiet_start" value="00:00"' in page  # ISO, never 00.00.00
    assert "Jam tenang mulai" in page and "Token akses WhatsApp (Meta)" in page
    assert "Sudah diisi dan disimpan" in page  # the access token is set
    form = {"whatsapp_provider": "console", "sms_provider": "console"}
    form |= {"quiet_start": "21:00", "quiet_end": "07:00"}
    assert client.post("/c/alpha/manage/notifications/settings", form).status_code == 302
    with tenant_context(complex_a):
        assert str(NotificationSettings.objects.get().quiet_start) == "21:00:00"


def test_a_resident_opts_in_to_whatsapp_and_chooses_channels(complex_a) -> None:
    from klustera.accounts.services import create_user
    from klustera.notifications.models import Consent, Preference
    from klustera.roles import Role

    with tenant_context(complex_a):
        user = create_user(
            phone="081234500002", name="Rina", password="pw-123456", roles=[Role.RESIDENT]
        )
    client = _signed_in("081234500002")
    page = client.get("/c/alpha/notifications/").content.decode()
    assert "Belum setuju" in page and "Belum ada alamat email" in page
    form = {"whatsapp": "on", "billing": ["whatsapp"], "security": ["whatsapp", "push"]}
    assert client.post("/c/alpha/notifications/", form).status_code == 302
    with tenant_context(complex_a):
        consent = Consent.objects.get(user=user, channel="whatsapp")
        assert consent.is_granted and consent.method == "app_setting"
        chosen = dict(Preference.objects.filter(user=user).values_list("category", "channels"))
    assert chosen == {
        "billing": ["whatsapp"],
        "security": ["whatsapp", "push"],
        "community": [],
        "complaints": [],
    }
    assert "Setuju pada" in client.get("/c/alpha/notifications/").content.decode()
    client.post("/c/alpha/notifications/", {"billing": ["email"]})  # WhatsApp switched off
    with tenant_context(complex_a):
        assert not Consent.objects.get(user=user, channel="whatsapp").is_granted
    wrong = client.post("/c/alpha/notifications/", {"billing": ["pigeon"]})
    assert wrong.status_code == 200 and 'class="error"' in wrong.content.decode()


def test_the_first_sign_in_asks_about_whatsapp_once(complex_a) -> None:
    from klustera.accounts.services import create_user
    from klustera.notifications.models import Consent
    from klustera.privacy.services import accept_notice
    from klustera.roles import Role

    with tenant_context(complex_a):
        user = create_user(
            phone="081234500003", name="Dewi", password="pw-123456", roles=[Role.RESIDENT]
        )
        accept_notice(user=user, opt_ins={}, method="registration")  # the notice: its own test
    client = Client()
    login = {"username": "081234500003", "password": "pw-123456", "next": "/c/alpha/invoices/"}
    first = client.post("/c/alpha/login", login)
    assert first["Location"].startswith("/c/alpha/notifications/?first=1")
    question = client.get(first["Location"]).content.decode()
    assert 'id="whatsapp-question"' in question
    answered = client.post(
        "/c/alpha/notifications/", {"answer": "no", "next": "/c/alpha/invoices/"}
    )
    assert answered["Location"] == "/c/alpha/invoices/"
    away = client.post(
        "/c/alpha/notifications/", {"answer": "yes", "next": "https://evil.example/"}
    )
    assert away["Location"] == "/c/alpha/"  # never sent off the site
    with tenant_context(complex_a):
        assert Consent.objects.get(user=user, channel="whatsapp").is_granted
    client.post("/c/alpha/logout")
    assert Client().post("/c/alpha/login", login)["Location"] == "/c/alpha/invoices/"


def test_the_outbox_tells_why_and_offers_no_resend_that_cannot_work(
    complex_a, manager_token
) -> None:
    from klustera.notifications.services import Address

    with tenant_context(complex_a):
        notify(
            recipient=Address(name="Pak Budi", phone="081234500077"),
            template="payment_reminder",
            context=REMINDER,
            channels=["whatsapp"],
        )
    page = _signed_in("081234500009").get("/c/alpha/manage/notifications/").content.decode()
    assert "Pengingat pembayaran unit A-01" in page  # the subject, not payment_reminder
    assert "belum ada persetujuan WhatsApp" in page
    assert "/resend" not in page
