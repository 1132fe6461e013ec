"""Invoices through the API: a resident sees their own unit's, a manager runs billing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import Client

from klustera.billing.models import Tariff
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex


def _setup(tenant):  # type: ignore[no-untyped-def]
    data = seed_complex(tenant, marker="alpha")  # A-01 (the resident's) and A-02, 100 m² each
    with tenant_context(tenant):
        Tariff.objects.create(
            charge="IPL", basis="land_area", rate=Decimal("2000"), effective_from=date(2026, 1, 1)
        )
    return (
        Client(HTTP_AUTHORIZATION=f"Bearer {data['manager_token']}"),
        Client(HTTP_AUTHORIZATION=f"Bearer {data['resident_token']}"),
    )


def test_a_manager_runs_billing_and_a_resident_sees_only_their_invoice(tenant_a) -> None:  # type: ignore[no-untyped-def]
    manager, resident = _setup(tenant_a)
    run = manager.post(
        "/c/alpha/api/v1/admin/billing-runs", {"period": "2026-12"}, content_type="application/json"
    )
    assert run.status_code == 201
    assert (run.json()["data"]["created"], run.json()["data"]["failed"]) == (2, 0)
    again = manager.post(
        "/c/alpha/api/v1/admin/billing-runs", {"period": "2026-12"}, content_type="application/json"
    ).json()["data"]
    assert (again["created"], again["skipped"]) == (0, 2)
    all_invoices = manager.get("/c/alpha/api/v1/admin/invoices?period=2026-12").json()
    assert all_invoices["meta"]["total"] == 2
    mine = resident.get("/c/alpha/api/v1/invoices").json()["data"]
    assert [(i["unit_label"], i["total"]) for i in mine] == [("A-01", "200000")]
    other = next(i for i in all_invoices["data"] if i["unit_label"] == "A-02")
    assert resident.get(f"/c/alpha/api/v1/invoices/{other['id']}").status_code == 404
    detail = resident.get(f"/c/alpha/api/v1/invoices/{mine[0]['id']}").json()["data"]
    assert detail["lines"][0]["description"].startswith("IPL")
    assert manager.get("/c/alpha/api/v1/admin/billing-runs").json()["meta"]["total"] == 2


def test_bad_periods_and_filters_are_answered_clearly(tenant_a) -> None:  # type: ignore[no-untyped-def]
    manager, resident = _setup(tenant_a)
    for period in ("2026-13", "next month", "2099-01"):
        response = manager.post(
            "/c/alpha/api/v1/admin/billing-runs",
            {"period": period},
            content_type="application/json",
        )
        assert response.status_code == 422, period
        assert "period" in response.json()["error"]["details"]
    assert manager.get("/c/alpha/api/v1/admin/invoices?unit=abc").json()["meta"]["total"] == 0
    assert (
        resident.post(
            "/c/alpha/api/v1/admin/billing-runs",
            {"period": "2026-12"},
            content_type="application/json",
        ).status_code
        == 403
    )
