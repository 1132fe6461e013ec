"""Managers keep the registry: units, residents, who lives where and since when, vehicles."""

from __future__ import annotations

import pytest
from django.test import Client

from klustera.audit.models import AuditEntry
from klustera.estate.models import Occupancy, Resident
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1/admin"


@pytest.fixture
def manager(tenant_a) -> Client:
    token = seed_complex(tenant_a, marker="alpha").manager_token
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _json(client: Client, method: str, path: str, body: dict | None = None):
    return getattr(client, method)(f"{BASE}/{path}", body or {}, content_type="application/json")


def test_units_are_created_changed_and_kept_unique(manager) -> None:
    created = _json(
        manager,
        "post",
        "units",
        {
            "block": "C",
            "number": "07",
            "unit_type": "house",
            "land_area": "120.00",
            "building_area": "96.00",
        },
    )
    assert created.status_code == 201
    unit_id = created.json()["data"]["id"]
    duplicate = _json(manager, "post", "units", {"block": "C", "number": "07"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "CONFLICT"
    assert "number" in duplicate.json()["error"]["details"]
    negative = _json(
        manager, "put", f"units/{unit_id}", {"block": "C", "number": "07", "land_area": "-5"}
    )
    assert negative.status_code == 422
    changed = _json(manager, "put", f"units/{unit_id}", {"block": "C", "number": "07", "floor": 2})
    assert changed.json()["data"]["floor"] == 2
    only_c = manager.get(f"{BASE}/units?block=C").json()
    assert [u["number"] for u in only_c["data"]] == ["07"]


def test_a_stay_is_history_once_the_resident_moves_out(manager, tenant_a) -> None:
    unit = _json(manager, "post", "units", {"block": "D", "number": "01"}).json()["data"]
    resident = _json(
        manager, "post", "residents", {"name": "Bayu", "phone": "0812 9999 1111", "email": ""}
    ).json()["data"]
    assert resident["phone"] == "+6281299991111"
    stay = _json(
        manager,
        "post",
        f"units/{unit['id']}/occupancies",
        {
            "resident_id": resident["id"],
            "role": "renter",
            "start_on": "2026-01-01",
            "is_billing_contact": True,
        },
    ).json()["data"]
    second_contact = _json(
        manager,
        "post",
        f"units/{unit['id']}/occupancies",
        {"resident_id": resident["id"], "role": "family", "start_on": "2026-02-01"},
    )
    assert second_contact.status_code == 422  # already living there
    too_early = _json(
        manager, "post", f"occupancies/{stay['id']}/move-out", {"end_on": "2025-12-31"}
    )
    assert too_early.status_code == 422
    moved = _json(manager, "post", f"occupancies/{stay['id']}/move-out", {"end_on": "2026-11-30"})
    assert moved.json()["data"]["end_on"] == "2026-11-30"
    again = _json(manager, "post", f"occupancies/{stay['id']}/move-out", {"end_on": "2026-12-01"})
    assert again.status_code == 422
    with tenant_context(tenant_a):
        assert Resident.objects.get(pk=resident["id"]).status == "moved_out"
        assert Occupancy.objects.filter(unit_id=unit["id"]).count() == 1  # kept as history
        actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert {"unit.created", "resident.created", "resident.moved_in", "resident.moved_out"} <= set(
        actions
    )
    history = manager.get(f"{BASE}/units/{unit['id']}").json()["data"]["occupancies"]
    assert [(o["resident_name"], o["end_on"]) for o in history] == [("Bayu", "2026-11-30")]


def test_one_billing_contact_per_unit(manager, tenant_a) -> None:
    unit = _json(manager, "post", "units", {"block": "E", "number": "01"}).json()["data"]
    first = _json(manager, "post", "residents", {"name": "Intan", "phone": "081299992222"}).json()[
        "data"
    ]
    second = _json(manager, "post", "residents", {"name": "Yusuf", "phone": "081299993333"}).json()[
        "data"
    ]
    _json(
        manager,
        "post",
        f"units/{unit['id']}/occupancies",
        {
            "resident_id": first["id"],
            "role": "owner",
            "start_on": "2026-01-01",
            "is_billing_contact": True,
        },
    )
    clash = _json(
        manager,
        "post",
        f"units/{unit['id']}/occupancies",
        {
            "resident_id": second["id"],
            "role": "family",
            "start_on": "2026-01-01",
            "is_billing_contact": True,
        },
    )
    assert clash.status_code == 422 and "is_billing_contact" in clash.json()["error"]["details"]
    family = _json(
        manager,
        "post",
        f"units/{unit['id']}/occupancies",
        {"resident_id": second["id"], "role": "family", "start_on": "2026-01-01"},
    ).json()["data"]
    switched = _json(manager, "post", f"occupancies/{family['id']}/billing-contact")
    assert switched.status_code == 200 and switched.json()["data"]["is_billing_contact"] is True
    with tenant_context(tenant_a):
        contacts = Occupancy.objects.filter(unit_id=unit["id"], is_billing_contact=True)
        assert [o.resident.name for o in contacts] == ["Yusuf"]  # Intan no longer
        assert AuditEntry.objects.filter(action="resident.billing_contact").count() == 1
    _json(manager, "post", f"occupancies/{family['id']}/move-out", {"end_on": "2026-06-30"})
    ended = _json(manager, "post", f"occupancies/{family['id']}/billing-contact")
    assert ended.status_code == 422  # a stay that has ended cannot carry the bills


def test_vehicles_are_registered_once_by_their_plate(manager) -> None:
    unit = _json(manager, "post", "units", {"block": "F", "number": "01"}).json()["data"]
    added = _json(
        manager, "post", f"units/{unit['id']}/vehicles", {"plate": "b 1234-xyz", "kind": "car"}
    )
    assert added.status_code == 201 and added.json()["data"]["plate"] == "B1234XYZ"
    twice = _json(manager, "post", f"units/{unit['id']}/vehicles", {"plate": "B 1234 XYZ"})
    assert twice.status_code == 409 and "plate" in twice.json()["error"]["details"]
    garbage = _json(manager, "post", f"units/{unit['id']}/vehicles", {"plate": "!!"})
    assert garbage.status_code == 422
    assert _json(manager, "delete", f"vehicles/{added.json()['data']['id']}").status_code == 200
    assert manager.get(f"{BASE}/units/{unit['id']}").json()["data"]["vehicles"] == []


def test_residents_are_searchable_by_name_or_phone(manager) -> None:
    _json(manager, "post", "residents", {"name": "Putri Lestari", "phone": "081277778888"})
    by_name = manager.get(f"{BASE}/residents?q=lestari").json()["data"]
    by_phone = manager.get(f"{BASE}/residents?q=77778888").json()["data"]
    assert [r["name"] for r in by_name] == [r["name"] for r in by_phone] == ["Putri Lestari"]
