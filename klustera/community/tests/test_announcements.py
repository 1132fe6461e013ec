"""Managers post announcements; residents read those meant for them and are told once each.
Over their life: drafts, a scheduled publish sent once, edits never sent again, withdrawal,
pinning and expiry, and read receipts from the app and from WhatsApp."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klustera.accounts.models import User
from klustera.accounts.services import create_user
from klustera.audit.models import AuditEntry
from klustera.community.models import Announcement
from klustera.community.selectors import LIST_CACHE_SECONDS, list_cache_seconds
from klustera.community.services import (
    edit_announcement,
    post_announcement,
    publish_due,
    send_announcement_now,
)
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.notifications.models import Channel, Consent, Message
from klustera.notifications.services import record_whatsapp_event, set_consent
from klustera.roles import Role
from klustera.tenancy.context import current_alias, tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


@pytest.fixture
def complex_a(tenant_a) -> dict[str, Any]:
    """Alpha's seed (A-01 with "Resident alpha") and a resident of block B."""
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    with tenant_context(tenant_a):
        unit = Unit.objects.create(block="B", number="01")
        user = create_user(
            phone="081300000009", name="Bu Bea", password="x-pass-123", roles=[Role.RESIDENT]
        )
        resident = Resident.objects.create(name=user.name, phone=user.phone, user=user)
        Occupancy.objects.create(
            unit=unit, resident=resident, role="owner", start_on=date(2025, 1, 1)
        )
    data["manager"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['manager_token']}")
    data["resident"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['resident_token']}")
    return data


def _post(client: Client, body: dict[str, Any]):
    return client.post(f"{BASE}/announcements", body, content_type="application/json")


def test_an_announcement_to_the_complex_reaches_every_resident_once(
    complex_a, tenant_a, django_capture_on_commit_callbacks
) -> None:
    with tenant_context(tenant_a):
        alias = current_alias()
    body = {"title": "Kerja bakti", "body": "Minggu pagi, 07.00, di taman."}
    with django_capture_on_commit_callbacks(using=alias, execute=True):
        posted = _post(complex_a["manager"], body)
    assert posted.status_code == 201, posted.content
    assert posted.json()["data"]["blocks"] == []
    with tenant_context(tenant_a):
        announcement = Announcement.objects.get()
        assert announcement.recipients == 2  # Resident alpha and Bu Bea
        told = Message.objects.filter(template="announcement")
        assert sorted(set(told.values_list("to_name", flat=True))) == ["Bu Bea", "Resident alpha"]
        assert all(m.context["link"].endswith("/announcements/") for m in told)  # a push opens it
        assert (
            told.filter(to_name="Bu Bea").values("channel").distinct().count()
            == told.filter(to_name="Bu Bea").count()
        )  # one message per channel, never twice
        assert AuditEntry.objects.filter(action="announcement.posted").count() == 1
    listed = complex_a["resident"].get(f"{BASE}/announcements").json()["data"]
    assert [a["title"] for a in listed] == ["Kerja bakti"]


def test_a_blocks_announcement_is_read_and_told_in_that_block_only(
    complex_a, tenant_a, django_capture_on_commit_callbacks
) -> None:
    with tenant_context(tenant_a):
        alias = current_alias()
    body = {"title": "Air mati", "body": "Blok B, Selasa 10.00-14.00.", "blocks": ["b"]}
    with django_capture_on_commit_callbacks(using=alias, execute=True):
        posted = _post(complex_a["manager"], body)
    assert posted.json()["data"]["blocks"] == ["B"]  # the block as the units spell it
    with tenant_context(tenant_a):
        told = set(
            Message.objects.filter(template="announcement").values_list("to_name", flat=True)
        )
    assert told == {"Bu Bea"}
    assert complex_a["resident"].get(f"{BASE}/announcements").json()["data"] == []  # block A
    assert len(complex_a["manager"].get(f"{BASE}/announcements").json()["data"]) == 1


def test_announcements_refuse_bad_input_and_residents_cannot_post(complex_a, tenant_a) -> None:
    good = {"title": "Rapat warga", "body": "Sabtu malam.", "send": False}
    assert _post(complex_a["resident"], good).status_code == 403
    for bad, field in (
        ({**good, "title": "   "}, "title"),
        ({**good, "blocks": ["B", "Z"]}, "blocks"),
        ({**good, "blocks": "B"}, "blocks"),
        ({**good, "body": "x" * 4001}, "body"),
        ({**good, "colour": "red"}, None),
        ({**good, "category": "gossip"}, "category"),
    ):
        answer = _post(complex_a["manager"], bad)
        assert answer.status_code == 422 and answer.json()["success"] is False, bad
        if field:
            assert field in answer.json()["error"]["details"], answer.json()
    with tenant_context(tenant_a):
        assert not Announcement.objects.exists()
    quiet = _post(complex_a["manager"], good)
    assert quiet.status_code == 201 and quiet.json()["data"]["state"] == "published"
    with tenant_context(tenant_a):
        sent = Message.objects.filter(template="announcement")
        assert set(sent.values_list("channel", flat=True)) <= {"inbox"}  # the inbox alone


def test_the_portal_posts_and_the_resident_home_shows_the_latest(complex_a, tenant_a) -> None:
    manager, resident = Client(), Client()
    for client, phone in ((manager, "081300000001"), (resident, "081300000002")):
        client.post("/c/alpha/login", {"username": phone, "password": "x-pass-123"})
    empty = manager.post("/c/alpha/announcements/", {"title": "", "body": ""})
    assert empty.status_code == 200 and 'class="error" role="alert"' in empty.content.decode()
    posted = manager.post(
        "/c/alpha/announcements/", {"title": "Fogging", "body": "Jumat <b>sore</b>."}
    )
    assert posted.status_code == 302
    home = resident.get("/c/alpha/").content.decode()
    assert "Fogging" in home and "Jumat &lt;b&gt;sore&lt;/b&gt;." in home  # escaped
    assert "Fogging" not in home.split("</title>")[0]  # in the page, not in its title
    page = resident.get("/c/alpha/announcements/").content.decode()
    assert "Fogging" in page and 'name="title"' not in page  # residents read, do not post
    assert resident.post("/c/alpha/announcements/", {"title": "x", "body": "y"}).status_code == 403


# --- The lifecycle -----------------------------------------------------------------------


def _told(announcement: Announcement) -> Any:
    return Message.objects.filter(about=f"announcement:{announcement.pk}")


def _manager(tenant: Any) -> User:
    with tenant_context(tenant):
        return User.objects.get(phone="+6281300000001")


def test_a_draft_waits_unseen_and_a_scheduled_one_is_published_and_sent_once(
    complex_a, tenant_a, committed
) -> None:
    manager = _manager(tenant_a)
    with tenant_context(tenant_a):
        draft = post_announcement(actor=manager, title="Draf", body="Belum", draft=True)
        later = timezone.now() + timedelta(hours=2)
        scheduled = post_announcement(actor=manager, title="Nanti", body="Jam 10", publish_at=later)
        assert (draft.state(timezone.now()), scheduled.state(timezone.now())) == (
            "draft",
            "scheduled",
        )
        assert publish_due() == 0 and not _told(scheduled).exists()
    assert complex_a["resident"].get(f"{BASE}/announcements").json()["data"] == []
    # The worker was down at the time: it publishes when it returns, once.
    with time_machine.travel(later + timedelta(minutes=30), tick=False):
        assert committed(tenant_a, publish_due) == 1
        assert committed(tenant_a, publish_due) == 0
    with tenant_context(tenant_a):
        scheduled.refresh_from_db()
        assert scheduled.posted_at == later + timedelta(minutes=30)
        assert scheduled.recipients == 2
        told = _told(scheduled).filter(channel=Channel.INBOX).count()
        assert told == 2
        assert send_announcement_now(announcement=scheduled) == 0  # a repeat sends nothing
        assert _told(scheduled).filter(channel=Channel.INBOX).count() == told
    titles = [a["title"] for a in complex_a["resident"].get(f"{BASE}/announcements").json()["data"]]
    assert titles == ["Nanti"]
    published = complex_a["manager"].post(f"{BASE}/admin/announcements/{draft.pk}/publish")
    assert published.json()["data"]["state"] == "published"
    again = complex_a["manager"].post(f"{BASE}/admin/announcements/{draft.pk}/publish")
    assert again.status_code == 409


def test_an_edit_shows_edited_and_is_never_sent_again_and_a_withdrawal_hides_it(
    complex_a, tenant_a, committed
) -> None:
    manager = _manager(tenant_a)
    posted = committed(
        tenant_a,
        lambda: post_announcement(actor=manager, title="Fogging", body="Jumat sore"),
    )
    with tenant_context(tenant_a):
        before = _told(posted).count()
    edited = complex_a["manager"].patch(
        f"{BASE}/admin/announcements/{posted.pk}",
        {"body": "Sabtu sore", "pinned": True},
        content_type="application/json",
    )
    assert edited.json()["data"]["edited_at"] is not None
    with tenant_context(tenant_a):
        assert _told(posted).count() == before  # nobody is told twice
        other = post_announcement(actor=manager, title="Lain", body="Biasa", send=False)
    listed = complex_a["resident"].get(f"{BASE}/announcements").json()["data"]
    assert [a["title"] for a in listed] == ["Fogging", "Lain"]  # pinned first
    assert listed[0]["body"] == "Sabtu sore"
    complex_a["manager"].post(f"{BASE}/admin/announcements/{posted.pk}/withdraw")
    listed = complex_a["resident"].get(f"{BASE}/announcements").json()["data"]
    assert [a["title"] for a in listed] == ["Lain"]
    with tenant_context(tenant_a):
        actions = list(AuditEntry.objects.values_list("action", flat=True))
        assert {"announcement.edited", "announcement.withdrawn"} <= set(actions)
        edit_announcement(
            actor=manager, announcement=other, expires_at=timezone.now() + timedelta(minutes=1)
        )
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert complex_a["resident"].get(f"{BASE}/announcements").json()["data"] == []


def test_read_receipts_count_the_app_and_whatsapp_and_the_reminder_reaches_the_rest(
    complex_a, tenant_a, committed
) -> None:
    with tenant_context(tenant_a):
        from klustera.accounts.models import User

        manager = User.objects.get(phone="+6281300000001")
        bea = User.objects.get(phone="+6281300000009")
        set_consent(
            user=bea, channel=Channel.WHATSAPP, granted=True, method=Consent.Method.APP_SETTING
        )
    posted = committed(
        tenant_a, lambda: post_announcement(actor=manager, title="Rapat", body="Sabtu malam")
    )
    reads = complex_a["manager"].get(f"{BASE}/admin/announcements/{posted.pk}/reads").json()
    assert [row["read_at"] for row in reads["data"]] == [None, None]
    # Resident alpha reads it in the app; Bu Bea's WhatsApp reports "read".
    resident = Client()
    resident.post("/c/alpha/login", {"username": "081300000002", "password": "x-pass-123"})
    assert "Rapat" in resident.get("/c/alpha/announcements/").content.decode()
    with tenant_context(tenant_a):
        whatsapp = _told(posted).get(recipient=bea, channel=Channel.WHATSAPP)
        record_whatsapp_event(
            {
                "entry": [
                    {
                        "changes": [
                            {
                                "value": {
                                    "statuses": [
                                        {
                                            "id": "wamid.READ",
                                            "status": "read",
                                            "timestamp": str(int(timezone.now().timestamp())),
                                            "biz_opaque_callback_data": str(
                                                whatsapp.idempotency_key
                                            ),
                                        }
                                    ]
                                }
                            }
                        ]
                    }
                ]
            }
        )
    reads = complex_a["manager"].get(f"{BASE}/admin/announcements/{posted.pk}/reads").json()
    assert all(row["read_at"] for row in reads["data"]) and len(reads["data"]) == 2
    reminded = complex_a["manager"].post(f"{BASE}/admin/announcements/{posted.pk}/remind")
    assert reminded.json()["data"] == {"told": 0}
    with tenant_context(tenant_a):
        Message.objects.filter(about=f"announcement:{posted.pk}", recipient=bea).update(
            read_at=None
        )
    reminded = complex_a["manager"].post(f"{BASE}/admin/announcements/{posted.pk}/remind")
    assert reminded.json()["data"] == {"told": 1}


def test_an_audience_of_unit_types_tenure_and_staff_roles_is_told_and_reads_it_alone(
    complex_a, tenant_a, committed
) -> None:
    manager = _manager(tenant_a)
    with tenant_context(tenant_a):
        flat = Unit.objects.create(block="C", number="01", unit_type=Unit.Type.TWO_BEDROOM)
        rudi = create_user(
            phone="081300000011", name="Rudi", password="x-pass-123", roles=[Role.RESIDENT]
        )
        Occupancy.objects.create(
            unit=flat,
            resident=Resident.objects.create(name="Rudi", phone=rudi.phone, user=rudi),
            role="renter",
            start_on=date(2025, 1, 1),
        )
        create_user(phone="081300000012", name="Satpam", roles=[Role.SECURITY_STAFF])

    def told(**audience: Any) -> set[str]:
        posted = committed(
            tenant_a,
            lambda: post_announcement(actor=manager, title="T", body="B", **audience),
        )
        with tenant_context(tenant_a):
            return set(
                _told(posted)
                .filter(channel=Channel.INBOX)
                .values_list("recipient__name", flat=True)
            )

    assert told(tenure="renters") == {"Rudi"}
    assert told(unit_types=["2br", "studio"]) == {"Rudi"}
    assert told(blocks=["B"], tenure="owners") == {"Bu Bea"}
    assert told(blocks=["A", "B"], tenure="owners") == {"Resident alpha", "Bu Bea"}
    assert told(tenure="owners", staff_roles=["security_staff"]) == {
        "Resident alpha",
        "Bu Bea",
        "Satpam",
    }
    refused = complex_a["manager"].post(
        f"{BASE}/announcements",
        {"title": "x", "body": "y", "unit_types": ["castle"], "staff_roles": ["gardener"]},
        content_type="application/json",
    )
    assert set(refused.json()["error"]["details"]) >= {"unit_types", "staff_roles"}
    # Resident alpha (an owner of a house in block A) reads only what was meant for them.
    listed = complex_a["resident"].get(f"{BASE}/announcements").json()["data"]
    assert [(a["tenure"], a["unit_types"], a["blocks"]) for a in listed] == [
        ("owners", [], []),
        ("owners", [], ["A", "B"]),
    ]


def _titles(client: Client) -> list[str]:
    reply = client.get(f"{BASE}/announcements")
    assert reply.status_code == 200
    return [row["title"] for row in reply.json()["data"]]


def test_the_list_is_served_from_the_cache_until_something_it_shows_changes(
    complex_a, tenant_a
) -> None:
    manager, resident = complex_a["manager"], complex_a["resident"]
    assert _post(manager, {"title": "Fogging", "body": "Jumat sore"}).status_code == 201
    assert _titles(resident) == ["Fogging"]
    with tenant_context(tenant_a):
        alias = current_alias()
    with CaptureQueriesContext(connections[alias]) as asked:
        assert _titles(resident) == ["Fogging"]
    assert len(asked) == 1  # the stamp: no list, no count, no files

    # every write shows on the next read: a post, an edit, a withdrawal, a move out
    assert _post(manager, {"title": "Kerja bakti", "body": "Minggu"}).status_code == 201
    assert _titles(resident) == ["Kerja bakti", "Fogging"]
    with tenant_context(tenant_a):
        first = Announcement.objects.get(title="Fogging")
    edited = manager.patch(
        f"{BASE}/admin/announcements/{first.pk}", {"title": "Fogging DBD"}, "application/json"
    )
    assert edited.status_code == 200
    assert _titles(resident) == ["Kerja bakti", "Fogging DBD"]
    assert manager.post(f"{BASE}/admin/announcements/{first.pk}/withdraw").status_code == 200
    assert _titles(resident) == ["Kerja bakti"]
    assert "Fogging DBD" in _titles(manager)  # managers still see it, withdrawn
    blocks = {"title": "Blok B", "body": "Air mati", "blocks": ["B"]}
    assert _post(manager, blocks).status_code == 201
    assert "Blok B" not in _titles(resident)  # Resident alpha lives in block A
    with tenant_context(tenant_a):
        stay = Occupancy.objects.get(resident__user__phone="+6281300000002")
        stay.unit = Unit.objects.get(block="B")
        stay.save()  # moved to block B
    assert _titles(resident)[0] == "Blok B"


def test_a_cached_page_lasts_no_longer_than_the_next_expiry(complex_a, tenant_a) -> None:
    manager = _manager(tenant_a)
    with tenant_context(tenant_a):
        assert list_cache_seconds() == LIST_CACHE_SECONDS
        soon = timezone.now() + timedelta(seconds=90)
        post_announcement(actor=manager, title="Air mati", body="Sebentar", expires_at=soon)
        assert 85 <= list_cache_seconds() <= 90
