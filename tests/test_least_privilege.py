"""Staff see and do what their job needs: no resident's money, household or guests.

Each row here is one leak found by probing as each role: a guard, a cleaner
and a technician naming any unit of the complex.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from klustera.access.models import GuestInvitation, WalkIn
from klustera.accounts.services import create_user, issue_token
from klustera.payments.models import TransferProof, UnitVirtualAccount
from klustera.payments.tests.test_manual import photo
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"
STAFF = [Role.SECURITY_STAFF, Role.CLEANING_STAFF, Role.FACILITY_STAFF]


@pytest.fixture
def complex_with_staff(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha")
    unit = data.units[0]
    with tenant_context(tenant_a):
        clients = {}
        for n, role in enumerate(STAFF):
            user = create_user(phone=f"08137777000{n}", name=str(role), roles=[role])
            clients[role] = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user)[0]}")
        UnitVirtualAccount.objects.create(
            unit=unit,
            bank="BCA_VIRTUAL_ACCOUNT",
            number="1234567890",
            reference_id="va-ref-1",
            payment_request_id="pr-1",
        )
        guard = create_user(phone="081377770099", name="Satpam", roles=[Role.SECURITY_STAFF])
        WalkIn.objects.create(
            unit=unit,
            visitor_name="Budi Tamu",
            visitor_phone="+628111111111",
            purpose="antar barang",
            gate="Utama",
            guard=guard,
            created_at=timezone.now(),
            answer_by=timezone.now() + timedelta(minutes=5),
        )
    return {**data.as_dict(), "unit": unit, "staff": clients}


@pytest.mark.parametrize("role", STAFF)
def test_staff_read_no_units_statement_or_virtual_account(complex_with_staff, role) -> None:
    client = complex_with_staff["staff"][role]
    pk = complex_with_staff["unit"].pk
    assert client.get(f"{BASE}/units/{pk}/statement").status_code == 404
    assert client.get(f"{BASE}/units/{pk}/virtual-account").status_code == 404


@pytest.mark.parametrize("role", STAFF)
def test_staff_mint_no_guest_code_for_a_unit_they_do_not_live_in(
    complex_with_staff, tenant_a, role
) -> None:
    client = complex_with_staff["staff"][role]
    pk = complex_with_staff["unit"].pk
    now = timezone.now()
    quick = client.post(f"{BASE}/access-codes/generate", {"unit": pk}, "application/json")
    full = client.post(
        f"{BASE}/guests/register",
        {
            "unit": pk,
            "guest_name": "Siapa Saja",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
        "application/json",
    )
    assert (quick.status_code, full.status_code) == (404, 404)
    with tenant_context(tenant_a):
        assert not GuestInvitation.objects.exists()


@pytest.mark.parametrize("role", STAFF)
def test_staff_send_no_transfer_proof_for_a_unit(complex_with_staff, tenant_a, role) -> None:
    client = complex_with_staff["staff"][role]
    response = client.post(
        f"{BASE}/payments/transfer-proofs",
        {
            "unit": complex_with_staff["unit"].pk,
            "amount": "100000",
            "transferred_on": timezone.localdate().isoformat(),
            "image": photo(),
        },
    )
    assert response.status_code == 404, response.content[:300]
    with tenant_context(tenant_a):
        assert not TransferProof.objects.exists()


@pytest.mark.parametrize("role", [Role.CLEANING_STAFF, Role.FACILITY_STAFF])
def test_cleaning_and_facility_staff_see_no_visitor_or_parcel(complex_with_staff, role) -> None:
    client = complex_with_staff["staff"][role]
    walk_ins = client.get(f"{BASE}/access/walk-ins").json()
    parcels = client.get(f"{BASE}/access/parcels").json()
    assert walk_ins["data"] == [] and parcels["data"] == []
    assert "Budi" not in str(walk_ins)


def test_the_guard_sees_walk_ins_and_every_units_label(complex_with_staff) -> None:
    client = complex_with_staff["staff"][Role.SECURITY_STAFF]
    walk_ins = client.get(f"{BASE}/access/walk-ins").json()["data"]
    assert [w["visitor_name"] for w in walk_ins] == ["Budi Tamu"]
    labels = client.get(f"{BASE}/units").json()["data"]
    assert {(u["block"], u["number"]) for u in labels} == {("A", "01"), ("A", "02")}


@pytest.mark.parametrize("role", STAFF)
def test_my_home_shows_staff_no_household(complex_with_staff, tenant_a, role) -> None:
    with tenant_context(tenant_a):
        user = create_user(phone="081377770050", name="Staf", password="x-Pass-9876", roles=[role])
    browser = Client()
    signed_in = browser.post("/c/alpha/login", {"username": user.phone, "password": "x-Pass-9876"})
    assert signed_in.status_code == 302
    page = browser.get("/c/alpha/units/")
    assert page.status_code == 200
    assert "Resident alpha" not in page.content.decode()


def test_the_gate_sees_who_lives_in_a_walk_ins_unit(complex_with_staff) -> None:
    guard = complex_with_staff["staff"][Role.SECURITY_STAFF]
    [walk_in] = guard.get(f"{BASE}/access/walk-ins").json()["data"]
    assert walk_in["residents"] == ["Resident alpha"]
    registered = guard.post(
        f"{BASE}/access/walk-ins",
        {"unit": complex_with_staff["unit"].pk, "visitor_name": "Kurir", "purpose": "paket",
         "gate": "Utama"},
        "application/json",
    )  # fmt: skip
    assert registered.json()["data"]["residents"] == ["Resident alpha"]
