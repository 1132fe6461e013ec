"""Managers post announcements; residents read those meant for them and are told once each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from klustera.accounts.services import create_user
from klustera.audit.models import AuditEntry
from klustera.community.models import Announcement
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.notifications.models import Message
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
    assert posted.json()["data"]["block"] == ""
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
    body = {"title": "Air mati", "body": "Blok B, Selasa 10.00-14.00.", "block": "b"}
    with django_capture_on_commit_callbacks(using=alias, execute=True):
        posted = _post(complex_a["manager"], body)
    assert posted.json()["data"]["block"] == "B"  # the block as the units spell it
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
        ({**good, "block": "Z"}, "block"),
        ({**good, "body": "x" * 4001}, "body"),
        ({**good, "pinned": True}, None),
    ):
        answer = _post(complex_a["manager"], bad)
        assert answer.status_code == 422 and answer.json()["success"] is False, bad
        if field:
            assert field in answer.json()["error"]["details"], answer.json()
    with tenant_context(tenant_a):
        assert not Announcement.objects.exists()
    quiet = _post(complex_a["manager"], good)
    assert quiet.status_code == 201 and quiet.json()["data"]["recipients"] is None
    with tenant_context(tenant_a):
        assert not Message.objects.filter(template="announcement").exists()  # not sent


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
