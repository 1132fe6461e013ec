"""Managers set tariffs, charges and billing rules through the API; residents read statements."""

from __future__ import annotations

from typing import Any

from django.test import Client

from klustera.audit.models import AuditEntry
from klustera.billing.models import Invoice, Tariff
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"
IPL_100K = {"charge": "IPL", "rate": "100000", "effective_from": "2026-01"}


def _clients(tenant) -> tuple[Client, Client, dict[str, Any]]:
    data = seed_complex(tenant, marker="alpha")
    return (
        Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}"),
        Client(HTTP_AUTHORIZATION=f"Bearer {data.resident_token}"),
        data,
    )


def _post(client: Client, path: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(f"{BASE}/{path}", body, content_type="application/json")


def test_tariffs_with_overlapping_months_are_refused(tenant_a) -> None:
    manager, resident, _ = _clients(tenant_a)
    ipl = {"charge": "IPL", "basis": "flat", "rate": "300000", "effective_from": "2026-01"}
    created = _post(manager, "admin/tariffs", ipl)
    assert created.status_code == 201, created.content
    assert created.json()["data"]["effective_from"] == "2026-01"

    clash = _post(manager, "admin/tariffs", {**ipl, "rate": "350000", "effective_from": "2026-07"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "CONFLICT"
    assert "effective_from" in clash.json()["error"]["details"]
    assert clash.json()["error"]["details"]["codes"] == {"effective_from": ["tariff_overlaps"]}

    # End the old one in June, then the raise from July is accepted: a mid-year change.
    first = created.json()["data"]["id"]
    ended = _post(manager, f"admin/tariffs/{first}", {**ipl, "effective_to": "2026-06"}, "put")
    assert ended.status_code == 200, ended.content
    raised = _post(manager, "admin/tariffs", {**ipl, "rate": "350000", "effective_from": "2026-07"})
    assert raised.status_code == 201
    # A studio-only tariff for the same charge is not an overlap.
    studio = _post(manager, "admin/tariffs", {**ipl, "unit_type": "studio", "rate": "150000"})
    assert studio.status_code == 201

    for bad in ({**ipl, "rate": "-1"}, {**ipl, "effective_from": "July"}, {**ipl, "basis": "x"}):
        response = _post(manager, "admin/tariffs", bad)
        assert response.status_code == 422, bad
    backwards = {**ipl, "charge": "Air", "effective_from": "2026-05", "effective_to": "2026-02"}
    assert _post(manager, "admin/tariffs", backwards).status_code == 422
    with tenant_context(tenant_a):
        assert Tariff.objects.count() == 3
        assert AuditEntry.objects.filter(action__startswith="tariff.").count() == 4
    assert _post(resident, "admin/tariffs", ipl).status_code == 403


def test_a_rate_changes_from_a_month_in_one_call(tenant_a) -> None:
    manager, resident, _ = _clients(tenant_a)
    first = _post(manager, "admin/tariffs", IPL_100K).json()["data"]["id"]
    change = f"admin/tariffs/{first}/change"
    changed = _post(manager, change, {"from_month": "2026-07", "rate": "120000"})
    assert changed.status_code == 200, changed.content
    old, new = changed.json()["data"]
    assert (old["effective_to"], new["effective_from"], new["rate"]) == (
        "2026-06",
        "2026-07",
        "120000.00",
    )
    early = _post(manager, change, {"from_month": "2026-01", "rate": "1"})
    assert early.status_code == 422
    assert early.json()["error"]["details"]["codes"] == {"from_month": ["tariff_change_too_early"]}
    ended = _post(manager, f"admin/tariffs/{new['id']}/change", {"from_month": "2026-10"})
    assert ended.status_code == 200 and len(ended.json()["data"]) == 1
    assert ended.json()["data"][0]["effective_to"] == "2026-09"
    assert _post(manager, change, {"from_month": "2026-08", "pigeon": 1}).status_code == 422
    assert _post(resident, change, {"from_month": "2026-08"}).status_code == 403


def test_one_off_charges_go_to_the_chosen_units_only(tenant_a) -> None:
    manager, _, data = _clients(tenant_a)
    a01, a02 = (unit.pk for unit in data.units)
    _post(manager, "admin/tariffs", IPL_100K)
    charge = {"units": [a01], "period": "2026-12", "description": "Ganti lampu", "amount": "45000"}
    response = _post(manager, "admin/charges", charge)
    assert response.status_code == 201, response.content
    assert response.json()["data"][0]["unit_label"] == "A-01"
    for bad in (
        {**charge, "amount": "-45000"},
        {**charge, "amount": "999999999999"},
        {**charge, "units": []},
        {**charge, "units": [9999]},
        {**charge, "period": "2099-01"},
    ):
        assert _post(manager, "admin/charges", bad).status_code == 422, bad
    _post(manager, "admin/billing-runs", {"period": "2026-12"})
    totals = {
        i["unit_label"]: i["total"]
        for i in manager.get(f"{BASE}/admin/invoices?period=2026-12").json()["data"]
    }
    assert totals == {"A-01": "145000", "A-02": "100000"}
    again = _post(manager, "admin/charges", {**charge, "units": [a01, a02]})
    assert again.status_code == 422
    assert "A-01" in again.json()["error"]["details"]["units"][0]
    assert len(manager.get(f"{BASE}/admin/charges").json()["data"]) == 1


def test_a_manager_bills_one_unit_by_hand(tenant_a) -> None:
    manager, _, data = _clients(tenant_a)
    a01 = data.units[0].pk
    _post(manager, "admin/tariffs", IPL_100K)
    created = _post(manager, "admin/invoices", {"unit": a01, "period": "2026-11"})
    assert created.status_code == 201, created.content
    assert created.json()["data"]["total"] == "100000"
    twice = _post(manager, "admin/invoices", {"unit": a01, "period": "2026-11"})
    assert twice.status_code == 422
    assert _post(manager, "admin/invoices", {"unit": a01, "period": "2099-11"}).status_code == 422
    with tenant_context(tenant_a):
        assert Invoice.objects.count() == 1


def test_billing_settings_are_validated_and_audited(tenant_a) -> None:
    manager, _, _ = _clients(tenant_a)
    changed = _post(
        manager,
        "admin/billing-settings",
        {"late_fee": "percent", "late_fee_value": "2", "run_day": 25, "tax_enabled": True},
        "patch",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["data"]["run_day"] == 25
    for bad in (
        {"due_day": 31},
        {"late_fee_value": "150"},  # a percentage above 100
        {"tax_rate": "-1"},
        {"late_fee": "sometimes"},
    ):
        assert _post(manager, "admin/billing-settings", bad, "patch").status_code == 422, bad
    settings = manager.get(f"{BASE}/admin/billing-settings").json()["data"]
    assert (settings["late_fee"], settings["late_fee_value"]) == ("percent", "2.00")
    with tenant_context(tenant_a):
        entry = AuditEntry.objects.get(action="billing.settings_changed")
    assert entry.details["changes"]["run_day"] == ["None", "25"]


def test_a_resident_reads_the_statement_of_their_own_unit_only(tenant_a) -> None:
    manager, resident, data = _clients(tenant_a)
    a01, a02 = (unit.pk for unit in data.units)
    _post(manager, "admin/tariffs", IPL_100K)
    _post(manager, "admin/billing-runs", {"period": "2026-11"})
    paid = _post(manager, "admin/payments", {"unit": a01, "amount": "150000", "method": "cash"})
    assert paid.status_code == 201, paid.content
    assert paid.json()["data"]["allocations"][0]["amount"] == "100000"
    mine = resident.get(f"{BASE}/units/{a01}/statement").json()["data"]
    assert [e["kind"] for e in mine["entries"]] == ["invoice", "payment"]
    assert mine["closing_balance"] == "-50000"  # credit for December
    assert resident.get(f"{BASE}/units/{a02}/statement").status_code == 404
    assert resident.get(f"{BASE}/units/{a01}/statement?start=soon").status_code == 422
    assert manager.get(f"{BASE}/units/{a02}/statement").json()["data"]["closing_balance"] == (
        "100000"
    )
    history = resident.get(f"{BASE}/payments").json()
    assert [p["amount"] for p in history["data"]] == ["150000"]
    bad = _post(manager, "admin/payments", {"unit": a01, "amount": "0", "method": "cash"})
    assert bad.status_code == 422
    online = _post(manager, "admin/payments", {"unit": a01, "amount": "5", "method": "qris"})
    assert online.status_code == 422  # gateway payments arrive from the gateway only
