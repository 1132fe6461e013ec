"""Parcels left at the gate: logged, the unit told, closed when collected."""

from __future__ import annotations

from klustera.access.models import Parcel
from klustera.access.tests.conftest import BASE, post_json
from klustera.audit.models import AuditEntry
from klustera.notifications.models import Message
from klustera.tenancy.context import tenant_context


def test_a_parcel_is_logged_the_unit_told_and_closed_when_collected(gate, tenant_a) -> None:
    unit = gate["units"][0]
    body = {
        "unit": unit.pk,
        "recipient_name": "Bu Ani",
        "courier": "JNE",
        "tracking_number": "JNE0001",
        "gate": "Utama",
    }
    assert post_json(gate["resident"], "access/parcels", body).status_code == 403
    logged = post_json(gate["guard"], "access/parcels", body)
    assert logged.status_code == 201, logged.content
    parcel = logged.json()["data"]
    assert (parcel["status"], parcel["unit_label"]) == ("waiting", "A-01")
    with tenant_context(tenant_a):
        told = Message.objects.exclude(channel="inbox").get(
            template="parcel_arrived", to_name="Resident alpha"
        )
        assert (told.context["courier"], told.context["unit"]) == ("JNE", "A-01")
    mine = gate["resident"].get(f"{BASE}/access/parcels?status=waiting").json()["data"]
    assert [p["id"] for p in mine] == [parcel["id"]]

    # Only the gate hands parcels over; then the record is closed, once.
    path = f"access/parcels/{parcel['id']}/pick-up"
    assert post_json(gate["resident"], path, {"collected_by": "Bu Ani"}).status_code == 403
    handed = post_json(gate["guard"], path, {"collected_by": "Bu Ani"})
    assert handed.json()["data"]["status"] == "picked_up"
    assert handed.json()["data"]["picked_up_by"] == "Bu Ani"
    assert post_json(gate["guard"], path, {"collected_by": "Pak Budi"}).status_code == 422
    assert gate["resident"].get(f"{BASE}/access/parcels?status=waiting").json()["data"] == []
    with tenant_context(tenant_a):
        closed = Parcel.objects.get()
        assert (closed.picked_up_by, closed.handed_over_by) == ("Bu Ani", gate["guard_user"])
        assert AuditEntry.objects.filter(action="parcel.picked_up").count() == 1


def test_residents_see_only_their_units_parcels_and_bad_input_is_refused(gate, tenant_a) -> None:
    other = gate["units"][1]
    body = {"unit": other.pk, "recipient_name": "Pak Budi", "courier": "SiCepat", "gate": "Utama"}
    assert post_json(gate["guard"], "access/parcels", body).status_code == 201
    assert gate["resident"].get(f"{BASE}/access/parcels").json()["data"] == []
    assert len(gate["manager"].get(f"{BASE}/access/parcels").json()["data"]) == 1
    for bad in (
        {**body, "unit": 999999},
        {**body, "courier": ""},
        {**body, "extra": "x"},
        {"unit": "A-01"},
    ):
        answer = post_json(gate["guard"], "access/parcels", bad)
        assert answer.status_code in (404, 422), bad
        assert answer.json()["success"] is False
