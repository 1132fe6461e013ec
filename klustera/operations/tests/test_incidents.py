"""Incidents: a report stored once per client_id (a replay answers with it); a critical one
told to the managers at once, past quiet hours, a minor one not; the follow-up's moves and
history; the log filtered and exported; the month's summary sent once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from klustera.accounts.models import User
from klustera.accounts.selectors import active_managers
from klustera.accounts.services import issue_token
from klustera.notifications.models import Message
from klustera.operations.models import Incident, IncidentSummary
from klustera.operations.services import send_incident_summary
from klustera.payments.tests.test_manual import photo
from klustera.tenancy.context import tenant_context

API = "/c/alpha/api/v1"


@pytest.fixture
def guard_api(portal, tenant_a, settings, tmp_path) -> Client:
    settings.MEDIA_ROOT = tmp_path
    with tenant_context(tenant_a):
        token, _ = issue_token(user=User.objects.get(phone="+6281300000007"), device_name="hp")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _report(**fields: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "client_id": str(uuid.uuid4()),
        "device_time": now.isoformat(),
        "kind": "fire",
        "severity": "critical",
        "occurred_at": (now - timedelta(minutes=5)).isoformat(),
        "location": "Gardu listrik Blok C",
        "description": "Asap dari gardu listrik",
        "people": "Pak Budi (C-07)",
        **fields,
    }


def _boundary(fields: dict[str, Any]) -> bytes:
    from django.test.client import encode_multipart

    return encode_multipart("BoUnDaRy", fields)


def test_a_critical_incident_reaches_the_managers_at_once_and_is_followed_up(
    guard_api, portal, tenant_a
) -> None:
    sent = {**_report(), "photos": photo("api.png")}
    first = guard_api.post(
        f"{API}/staff/incidents",
        _boundary(sent),
        content_type="multipart/form-data; boundary=BoUnDaRy",
    )
    assert first.status_code == 201, first.content
    incident = first.json()["data"]
    assert len(incident["photos"]) == 1 and incident["history"][0]["to_status"] == "open"
    again = guard_api.post(
        f"{API}/staff/incidents",
        {**_report(), "client_id": sent["client_id"]},
        content_type="application/json",
    )
    assert (again.status_code, again.json()["data"]["id"]) == (200, incident["id"])
    minor = guard_api.post(
        f"{API}/staff/incidents",
        _report(severity="minor", kind="damage"),
        content_type="application/json",
    )
    assert minor.status_code == 201
    with tenant_context(tenant_a):
        assert Incident.objects.count() == 2
        told = Message.objects.filter(template="incident_urgent")
        assert {m.recipient_id for m in told} == {m.pk for m in active_managers()}
        assert all(m.next_attempt_at <= timezone.now() for m in told)  # no quiet hours
        assert f"/incidents/{incident['id']}/" in told.first().context["link"]
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {portal['manager_token']}")
    url = f"{API}/admin/incidents/{incident['id']}/follow-up"
    close_bare = manager.post(url, {"status": "closed"}, content_type="application/json")
    assert close_bare.json()["error"]["details"]["codes"] == {"note": ["required"]}
    manager.post(
        url,
        {"status": "investigating", "note": "Petugas PLN dipanggil"},
        content_type="application/json",
    )
    closed = manager.post(
        url, {"status": "closed", "actions": "Kabel diganti"}, content_type="application/json"
    ).json()["data"]
    assert [h["to_status"] for h in closed["history"]] == ["open", "investigating", "closed"]
    wrong = manager.post(url, {"status": "open"}, content_type="application/json")
    assert wrong.status_code == 409
    assert wrong.json()["error"]["details"]["codes"] == {"detail": ["bad_transition"]}
    assert (
        guard_api.post(url, {"status": "closed"}, content_type="application/json").status_code
        == 403
    )
    bad = guard_api.post(
        f"{API}/staff/incidents", _report(kind="alien"), content_type="application/json"
    )
    assert bad.status_code == 422
    log = manager.get(f"{API}/staff/incidents?severity=critical").json()["data"]
    assert [i["id"] for i in log] == [incident["id"]]
    sheet = manager.get(f"{API}/admin/incidents/export?format=csv")
    assert "Gardu listrik Blok C" in sheet.content.decode("utf-8-sig")
    assert guard_api.get(f"{API}/admin/incidents/export").status_code == 403


def test_reported_and_followed_up_in_the_portal(portal, tenant_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    guard, manager = portal["clients"]["guard"], portal["clients"]["manager"]
    form = {
        "form": str(uuid.uuid4()),
        "kind": "suspicious",
        "severity": "major",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "Pagar belakang",
        "description": "Dua orang memanjat pagar",
    }
    sent = guard.post("/c/alpha/incidents/", form)
    assert sent.status_code == 302
    guard.post("/c/alpha/incidents/", form)  # the same form again: one incident
    with tenant_context(tenant_a):
        incident = Incident.objects.get()
    page = guard.get(sent["Location"]).content.decode()
    assert "Dua orang memanjat pagar" in page and 'id="follow-up"' not in page
    assert guard.post(sent["Location"], {"status": "closed", "note": "x"}).status_code == 403
    moved = manager.post(sent["Location"], {"status": "investigating", "note": "Cek CCTV"})
    assert moved.status_code == 302
    shown = manager.get("/c/alpha/incidents/?status=investigating").content.decode()
    assert "Pagar belakang" in shown
    with tenant_context(tenant_a):
        incident.refresh_from_db()
        assert incident.status == "investigating"
    assert portal["clients"]["resident"].get("/c/alpha/incidents/").status_code == 403
    assert manager.get("/c/alpha/incidents/?format=xlsx").content.startswith(b"PK")


def test_the_months_summary_is_sent_once(in_tenant_a, portal) -> None:
    month = date(2026, 11, 1)
    Incident.objects.create(
        kind="theft",
        severity="major",
        occurred_at=datetime(2026, 11, 10, 23, tzinfo=timezone.get_current_timezone()),
        location="Blok A",
        description="Sepeda hilang",
        reported_at=timezone.now(),
        received_at=timezone.now(),
        client_id=uuid.uuid4(),
    )
    assert send_incident_summary(month=month) is True
    assert send_incident_summary(month=month) is False
    assert IncidentSummary.objects.get().total == 1
    summary = Message.objects.filter(template="incident_summary").first()
    assert (summary.context["total"], summary.context["urgent"]) == ("1", "1")


def test_an_oversized_photo_is_refused_while_it_streams(guard_api, tenant_a, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    sent = {**_report(), "photos": SimpleUploadedFile("besar.jpg", b"\xff" * (2 * 1024 * 1024))}
    answer = guard_api.post(f"{API}/staff/incidents", sent)
    assert answer.status_code == 413
    with tenant_context(tenant_a):
        assert not Incident.objects.exists()
