"""Patrols and shifts through the API and the portal: the manager's checkpoints, route and
stickers; the guard's check-in and scans (a replay answered with the stored scan, a forged
sticker a 422); the night's page with its missed checkpoint."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from klustera.accounts.models import User
from klustera.accounts.services import issue_token
from klustera.operations.models import Checkpoint, PatrolRound, PatrolScan
from klustera.operations.services import checkpoint_token, make_rounds
from klustera.tenancy.context import tenant_context

API = "/c/alpha/api/v1"


@pytest.fixture
def apis(portal, tenant_a):
    def bearer(phone: str) -> Client:
        with tenant_context(tenant_a):
            token, _ = issue_token(user=User.objects.get(phone=phone), device_name="phone")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return {
        "manager": Client(HTTP_AUTHORIZATION=f"Bearer {portal['manager_token']}"),
        "guard": bearer("+6281300000007"),
        "resident": bearer("+6281300000002"),
    }


def _json(client: Client, url: str, body: dict) -> dict:
    answer = client.post(url, body, content_type="application/json")
    return {"status": answer.status_code, **answer.json()}


def test_a_manager_sets_up_a_patrol_and_a_guard_walks_it(apis, portal, tenant_a) -> None:
    manager, guard = apis["manager"], apis["guard"]
    made = [
        _json(manager, f"{API}/admin/checkpoints", {"name": name, **position})
        for name, position in (
            ("Pos depan", {"latitude": "-6.200000", "longitude": "106.800000", "radius_m": 30}),
            ("Taman", {"latitude": "-6.201000", "longitude": "106.801000"}),
        )
    ]
    assert [m["status"] for m in made] == [201, 201]
    half = _json(manager, f"{API}/admin/checkpoints", {"name": "X", "latitude": "-6.2"})
    assert half["error"]["details"]["codes"] == {"longitude": ["half_position"]}
    ids = [m["data"]["id"] for m in made]
    start = timezone.localtime() - timedelta(minutes=10)  # a round under way
    route = _json(
        manager,
        f"{API}/admin/patrol-routes",
        {
            "name": "Ronda",
            "checkpoints": ids,
            "at": f"{start:%H:%M}",
            "until": f"{start:%H:%M}",
            "minutes": 45,
            "starts_on": f"{start:%Y-%m-%d}",
        },
    )
    assert route["status"] == 201, route
    assert _json(manager, f"{API}/admin/patrol-routes", {**route["data"], "checkpoints": [999]})[
        "status"
    ] in (400, 422)
    with tenant_context(tenant_a):
        make_rounds(day=start.date())
    assert _json(guard, f"{API}/staff/shift/check-in", _device())["status"] == 200
    on_duty = manager.get(f"{API}/admin/shifts/on-duty").json()["data"]
    assert [s["name"] for s in on_duty] == ["Pak Satpam"]
    token = made[0]["data"]["token"]
    scan = {**_device(), "token": token, "scanned_at": timezone.now().isoformat()}
    scan.pop("device_time")
    first = _json(guard, f"{API}/staff/patrol/checkpoints", scan)
    assert first["status"] == 201 and first["data"]["checkpoint_name"] == "Pos depan"
    again = _json(guard, f"{API}/staff/patrol/checkpoints", scan)
    assert (again["status"], again["data"]["id"]) == (200, first["data"]["id"])
    altered = "B" if token.endswith("A") else "A"  # one signature in 32 ends in an A
    forged = _json(
        guard,
        f"{API}/staff/patrol/checkpoints",
        {**scan, "client_id": str(uuid.uuid4()), "token": token[:-1] + altered},
    )
    assert forged["status"] == 422 and forged["error"]["details"]["codes"] == {
        "token": ["bad_token"]
    }
    assert _json(apis["resident"], f"{API}/staff/patrol/checkpoints", scan)["status"] == 403
    rounds = guard.get(f"{API}/staff/patrol/rounds").json()["data"]
    visits = {c["name"]: c["scanned_at"] is not None for c in rounds[0]["checkpoints"]}
    assert visits == {"Pos depan": True, "Taman": False}
    with tenant_context(tenant_a):
        assert PatrolScan.objects.count() == 1
        PatrolRound.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    pdf = manager.get(f"{API}/admin/checkpoints/stickers")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    night = portal["clients"]["manager"].get("/c/alpha/manage/patrols/night/").content.decode()
    assert "Taman — " in night and "Pos depan" in night and "<svg" in night
    report = manager.get(f"{API}/admin/patrols/report").json()["data"]
    assert report["routes"][0]["route"] == "Ronda" and report["missed"] == []
    assert manager.get(f"{API}/admin/patrols/report?format=pdf").content.startswith(b"%PDF")
    assert manager.get(f"{API}/admin/patrols/report?month=2026-13").status_code == 422
    out = _json(guard, f"{API}/staff/shift/check-out", _device())
    assert out["status"] == 200 and out["data"]["ended_at"]
    assert _json(guard, f"{API}/staff/shift/check-out", _device())["status"] == 409
    sheet = manager.get(f"{API}/admin/shifts").json()["data"]["staff"]
    assert [(p["name"], len(p["shifts"])) for p in sheet] == [("Pak Satpam", 1)]
    csv = manager.get(f"{API}/admin/shifts?format=csv").content.decode("utf-8-sig")
    assert "Pak Satpam" in csv
    page = portal["clients"]["manager"].get("/c/alpha/manage/shifts/").content.decode()
    assert "Pak Satpam" in page


def _device() -> dict:
    return {"client_id": str(uuid.uuid4()), "device_time": timezone.now().isoformat()}


def test_the_guard_scans_by_typing_the_code_in_the_portal(portal, tenant_a) -> None:
    manager, guard = portal["clients"]["manager"], portal["clients"]["guard"]
    added = manager.post(
        "/c/alpha/manage/patrols/",
        {"name": "Gerbang belakang", "radius_m": "40", "is_active": "on"},
    )
    assert added.status_code == 302
    with tenant_context(tenant_a):
        checkpoint = Checkpoint.objects.get(name="Gerbang belakang")
        token = checkpoint_token(checkpoint)
    page = manager.get(f"/c/alpha/manage/patrols/checkpoints/{checkpoint.pk}/").content.decode()
    assert token in page and "data:image/svg+xml" in page
    form = str(uuid.uuid4())
    checked_in = guard.post("/c/alpha/shift/", {"form": form, "action": "in", "next": "patrol"})
    assert checked_in["Location"].endswith("/patrol/")
    for _ in range(2):  # the same form sent twice: one scan
        guard.post("/c/alpha/patrol/", {"form": form, "token": token.lower(), "latitude": "x"})
    shown = guard.get("/c/alpha/patrol/").content.decode()
    assert "Gerbang belakang" in shown
    with tenant_context(tenant_a):
        assert PatrolScan.objects.filter(checkpoint=checkpoint).count() == 1
    guard.post("/c/alpha/patrol/", {"form": str(uuid.uuid4()), "token": "KP1.beta.1.AAAA"})
    assert "bukan stiker titik patroli kami" in guard.get("/c/alpha/patrol/").content.decode()
    assert portal["clients"]["resident"].get("/c/alpha/patrol/").status_code == 403
    route = manager.post(
        "/c/alpha/manage/patrols/routes/new/",
        {
            "name": "Ronda malam",
            "at": "22:00",
            "until": "04:00",
            "every_hours": "2",
            "minutes": "45",
            "starts_on": f"{timezone.localdate()}",
            "is_active": "on",
            f"stop_{checkpoint.pk}": "1",
        },
    )
    assert route.status_code == 302, route.content.decode()[-800:]
    assert "Ronda malam" in manager.get("/c/alpha/manage/patrols/").content.decode()


def test_the_night_has_a_map_where_a_tile_server_is_set(portal, tenant_a, settings) -> None:
    manager = portal["clients"]["manager"]
    with tenant_context(tenant_a):
        Checkpoint.objects.create(name="Pos", latitude="-6.26", longitude="106.78")
    plain = manager.get("/c/alpha/manage/patrols/night/")
    assert "leaflet" not in plain.content.decode() and "<svg" in plain.content.decode()
    settings.MAP_TILE_URL = "https://tiles.example.id/{z}/{x}/{y}.png"
    mapped = manager.get("/c/alpha/manage/patrols/night/")
    page = mapped.content.decode()
    assert 'id="map"' in page and "leaflet.js" in page and '"lat": -6.26' in page
    assert (
        "img-src 'self' data: blob: https://tiles.example.id" in mapped["Content-Security-Policy"]
    )
