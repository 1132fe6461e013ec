"""The complaints API: filing with photos, who sees what, moves, comments and assignment."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from klustera.accounts.services import issue_token
from klustera.accounts.tests.factories import UserFactory
from klustera.helpdesk.models import Category
from klustera.payments.tests.test_manual import photo
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


@pytest.fixture
def api(tenant_a, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        fixer = UserFactory(phone="081300000051", roles=[Role.FACILITY_STAFF])
        neighbour = UserFactory(phone="081300000052", roles=[Role.RESIDENT])
        tokens = {
            "fixer": issue_token(user=fixer)[0],
            "neighbour": issue_token(user=neighbour)[0],
        }
        category = Category.objects.get(name="Fasilitas umum").pk
    clients = {
        who: Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        for who, token in {
            "manager": data.manager_token,
            "resident": data.resident_token,
            **tokens,
        }.items()
    }
    return {"clients": clients, "fixer": fixer, "category": category, "unit": data.units[0].pk}


def _json(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(f"{BASE}/{path}", body, content_type="application/json")


def test_a_resident_files_with_photos_and_follows_the_ticket_to_its_end(api) -> None:
    resident, manager, fixer = (api["clients"][w] for w in ("resident", "manager", "fixer"))
    form = {
        "category": api["category"],
        "title": "Lampu taman mati",
        "description": "Sejak kemarin malam",
        "unit": api["unit"],
        "photos": [photo("a.png"), photo("b.png")],
    }
    filed = resident.post(f"{BASE}/complaints", form)
    assert filed.status_code == 201, filed.content
    ticket = filed.json()["data"]
    assert ticket["status"] == "open" and len(ticket["photos"]) == 2
    path = f"complaints/{ticket['id']}"
    assert api["clients"]["neighbour"].get(f"{BASE}/{path}").status_code == 404  # not theirs
    assert fixer.get(f"{BASE}/{path}").status_code == 404  # not in their queue yet

    too_early = _json(resident, "patch", f"{path}/status", {"status": "resolved"})
    assert too_early.status_code == 409
    assert too_early.json()["error"]["details"]["codes"] == {
        "detail": ["ticket_transition_not_allowed"]
    }
    not_theirs = _json(resident, "patch", f"{path}/status", {"status": "assigned"})
    assert not_theirs.status_code == 403

    assert _json(resident, "post", f"{path}/assign", {"queue": "facility_staff"}).status_code == 403
    both = _json(manager, "post", f"{path}/assign", {"queue": "facility_staff", "assignee": 1})
    assert both.status_code == 422
    routed = _json(manager, "post", f"{path}/assign", {"queue": "facility_staff"})
    assert routed.json()["data"]["queue"] == "facility_staff"
    listed = fixer.get(f"{BASE}/complaints?status=open").json()
    assert [t["id"] for t in listed["data"]] == [ticket["id"]]  # their queue
    taken = _json(fixer, "patch", f"{path}/status", {"status": "assigned", "note": "Saya ambil"})
    assert taken.status_code == 200 and taken.json()["data"]["assignee_name"]

    _json(manager, "post", f"{path}/comments", {"body": "Cek kabel", "internal": True})
    asked = _json(fixer, "post", f"{path}/comments", {"body": "Lampu mana?", "question": True})
    assert asked.status_code == 201
    assert _json(resident, "post", f"{path}/comments", {"body": " "}).status_code == 422
    _json(resident, "post", f"{path}/comments", {"body": "Dekat pos"})
    _json(fixer, "patch", f"{path}/status", {"status": "in_progress"})
    after = fixer.post(f"{BASE}/{path}/photos", {"kind": "after", "photos": [photo("c.png")]})
    assert after.status_code == 201
    _json(fixer, "patch", f"{path}/status", {"status": "resolved", "note": "Bohlam diganti"})

    seen = resident.get(f"{BASE}/{path}").json()["data"]
    assert [c["body"] for c in seen["comments"]] == ["Lampu mana?", "Dekat pos"]  # no note
    assert [h["to_status"] for h in seen["history"]] == [
        "open",
        "open",
        "assigned",
        "in_progress",
        "resolved",
    ]
    assert len(manager.get(f"{BASE}/{path}").json()["data"]["comments"]) == 3
    assert _json(fixer, "post", f"{path}/rating", {"stars": 5}).status_code == 403
    assert _json(resident, "post", f"{path}/rating", {"stars": 9}).status_code == 422
    rated = _json(resident, "post", f"{path}/rating", {"stars": 2, "comment": "Lama sekali"})
    assert rated.json()["data"]["flagged"] is True  # a poor rating: for the manager
    again = _json(resident, "post", f"{path}/rating", {"stars": 5})
    assert again.json()["error"]["details"]["codes"] == {"detail": ["ticket_already_rated"]}
    closed = _json(resident, "patch", f"{path}/status", {"status": "closed"})
    assert closed.json()["data"]["status"] == "closed"
    late = _json(resident, "post", f"{path}/comments", {"body": "Terima kasih"})
    assert late.status_code == 409


def test_bad_filings_are_refused_with_the_field(api) -> None:
    resident = api["clients"]["resident"]
    base = {"category": api["category"], "title": "Jalan rusak", "description": "Berlubang"}
    empty = _json(resident, "post", "complaints", {**base, "description": " "})
    assert empty.status_code == 422 and "description" in empty.json()["error"]["details"]
    fake = SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg")
    refused = resident.post(f"{BASE}/complaints", {**base, "photos": [fake]})
    assert refused.status_code == 422 and "photos" in refused.json()["error"]["details"]
    six = resident.post(f"{BASE}/complaints", {**base, "photos": [photo() for _ in range(6)]})
    assert six.status_code == 422 and "photos" in six.json()["error"]["details"]
    strange = _json(resident, "post", "complaints", {**base, "mood": "angry"})
    assert strange.status_code == 422
    assert _json(resident, "post", "complaints", {**base, "category": 999}).status_code == 404


def test_a_manager_edits_the_categories_and_their_targets(api, tenant_a) -> None:
    from klustera.audit.models import AuditEntry

    manager, resident = api["clients"]["manager"], api["clients"]["resident"]
    listed = manager.get(f"{BASE}/admin/helpdesk/categories").json()["data"]
    assert [c["name"] for c in listed][:2] == ["Kebersihan", "Keamanan"]
    assert listed[0]["targets"]["urgent"] == {"response_hours": 1, "resolution_hours": 8}
    pool = {
        "name": "Kolam renang",
        "business_hours_only": True,
        "targets": {"normal": {"response_hours": 8, "resolution_hours": 48}},
    }
    added = _json(manager, "put", "admin/helpdesk/categories", pool)
    assert (
        added.status_code == 200
        and added.json()["data"]["targets"]["normal"]["resolution_hours"] == 48
    )
    backwards = {**pool, "targets": {"low": {"response_hours": 10, "resolution_hours": 2}}}
    assert _json(manager, "put", "admin/helpdesk/categories", backwards).status_code == 422
    twice = _json(manager, "put", "admin/helpdesk/categories", {**pool, "name": "kebersihan"})
    assert twice.status_code == 409
    assert twice.json()["error"]["details"]["codes"] == {"name": ["category_exists"]}
    retired = {**pool, "id": added.json()["data"]["id"], "is_active": False}
    assert _json(manager, "put", "admin/helpdesk/categories", retired).status_code == 200
    filed = _json(
        resident,
        "post",
        "complaints",
        {"category": retired["id"], "title": "Air kolam hijau", "description": "Keruh"},
    )
    assert filed.status_code == 422 and "category" in filed.json()["error"]["details"]
    assert _json(resident, "put", "admin/helpdesk/categories", pool).status_code == 403
    with tenant_context(tenant_a):
        assert AuditEntry.objects.filter(action="helpdesk.category_saved").count() == 2
