"""The in-app inbox: every message to a person lands there; the bell counts the unread."""

from __future__ import annotations

from django.test import Client

from klustera.accounts.models import User
from klustera.accounts.services import create_user, issue_token
from klustera.notifications.models import Channel, Consent, Message
from klustera.notifications.services import notify, set_consent
from klustera.notifications.tests.conftest import REMINDER
from klustera.roles import Role
from klustera.tenancy.context import tenant_context

BASE = "/c/alpha/api/v1"


def _api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user)[0]}")


def _remind(user: User, times: int = 1, **kwargs) -> None:
    for _ in range(times):
        notify(recipient=user, template="payment_reminder", context=REMINDER, **kwargs)


def test_a_resident_with_no_opt_in_and_no_email_still_finds_every_bill_in_the_inbox(
    complex_a,
) -> None:
    with tenant_context(complex_a):
        user = create_user(phone="081234500002", name="Budi", roles=[Role.RESIDENT])
        set_consent(
            user=user, channel=Channel.WHATSAPP, granted=False, method=Consent.Method.APP_SETTING
        )
        rows = notify(recipient=user, template="payment_reminder", context=REMINDER)
        assert {row.status for row in rows} == {Message.Status.SKIPPED}  # the channels tell true
        entry = Message.objects.get(recipient=user, channel=Channel.INBOX)
        assert entry.status == Message.Status.DELIVERED and entry.delivered_at is not None
        assert entry.read_at is None
        client = _api(user)
    body = client.get(f"{BASE}/inbox").json()
    [listed] = body["data"]
    assert listed["subject"] == "Pengingat pembayaran unit A-01"
    assert "Rp 100.000" in listed["text"] and listed["link"] == "x"
    assert body["meta"]["total"] == 1


def test_one_time_codes_stay_out_of_the_inbox(complex_a, resident) -> None:
    with tenant_context(complex_a):
        notify(recipient=resident, template="otp", context={"code": "654321"})
        assert not Message.objects.filter(channel=Channel.INBOX).exists()


def test_counts_follow_reading_one_and_reading_all(complex_a, resident) -> None:
    with tenant_context(complex_a):
        _remind(resident, times=3)
        stranger = create_user(phone="081234500003", name="Other", roles=[Role.RESIDENT])
        _remind(stranger)
        client = _api(resident)
        first = Message.objects.filter(recipient=resident, channel=Channel.INBOX).first()
        theirs = Message.objects.get(recipient=stranger, channel=Channel.INBOX)
    assert client.get(f"{BASE}/auth/me").json()["data"]["unread"] == 3
    assert client.get(f"{BASE}/inbox?unread=1").json()["meta"]["total"] == 3
    assert client.post(f"{BASE}/inbox/{first.pk}/read").json()["data"] == {"unread": 2}
    assert client.post(f"{BASE}/inbox/{first.pk}/read").json()["data"] == {"unread": 2}
    # Someone else's entry is not found, and stays unread for them.
    assert client.post(f"{BASE}/inbox/{theirs.pk}/read").status_code == 404
    assert client.get(f"{BASE}/inbox?unread=1").json()["meta"]["total"] == 2
    assert client.get(f"{BASE}/inbox").json()["meta"]["total"] == 3
    assert client.post(f"{BASE}/inbox/read-all").json()["data"] == {"unread": 0}
    assert client.get(f"{BASE}/auth/me").json()["data"]["unread"] == 0
    with tenant_context(complex_a):
        assert Message.objects.get(pk=theirs.pk).read_at is None
    assert client.get(f"{BASE}/inbox?unread=maybe").status_code == 422


def test_the_bell_and_the_inbox_page(complex_a, resident) -> None:
    with tenant_context(complex_a):
        for link in ("http://testserver/c/alpha/invoices/", "https://elsewhere.example/"):
            notify(
                recipient=resident, template="payment_reminder", context={**REMINDER, "link": link}
            )
        foreign, own = Message.objects.filter(recipient=resident, channel=Channel.INBOX)
    client = Client()
    client.post("/c/alpha/login", {"username": "081234500001", "password": "pw-123456"})
    home = client.get("/c/alpha/inbox/").content.decode()
    assert 'data-unread="2"' in home and home.count('class="inbox-entry unread"') == 2
    bell = client.get("/c/alpha/inbox/bell").content.decode()
    assert 'hx-trigger="every 30s"' in bell and 'data-unread="2"' in bell
    # Opening an entry reads it and leads to its subject (a link elsewhere is not followed).
    opened = client.get(f"/c/alpha/inbox/{own.pk}/")
    assert opened["Location"] == "http://testserver/c/alpha/invoices/"
    assert client.get(f"/c/alpha/inbox/{foreign.pk}/")["Location"] == "/c/alpha/inbox/"
    with tenant_context(complex_a):
        assert Message.objects.filter(channel=Channel.INBOX, read_at__isnull=True).count() == 0
    assert "data-unread" not in client.get("/c/alpha/inbox/bell").content.decode()
    assert client.get("/c/alpha/inbox/?unread=1").content.decode().count("inbox-entry") == 0


def test_the_outbox_leaves_the_inbox_copies_out_unless_asked(complex_a, resident) -> None:
    with tenant_context(complex_a):
        _remind(resident, channels=["email"])
        manager = create_user(phone="081234500009", name="Mgr", roles=[Role.PROPERTY_MANAGER])
        client = _api(manager)
    assert client.get(f"{BASE}/admin/notifications/outbox").json()["meta"]["total"] == 1
    inbox = client.get(f"{BASE}/admin/notifications/outbox?channel=inbox").json()
    assert [row["status"] for row in inbox["data"]] == ["delivered"]
