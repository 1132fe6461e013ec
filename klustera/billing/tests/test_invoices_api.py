"""Invoices through the API: a resident sees their own unit's, a manager runs billing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import Client

from klustera.billing.models import Tariff
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex


def _setup(tenant):
    data = seed_complex(tenant, marker="alpha")  # A-01 (the resident's) and A-02, 100 m² each
    with tenant_context(tenant):
        Tariff.objects.create(
            charge="IPL", basis="land_area", rate=Decimal("2000"), effective_from=date(2026, 1, 1)
        )
    return (
        Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}"),
        Client(HTTP_AUTHORIZATION=f"Bearer {data.resident_token}"),
    )


def test_a_manager_runs_billing_and_a_resident_sees_only_their_invoice(tenant_a) -> None:
    manager, resident = _setup(tenant_a)
    run = manager.post(
        "/c/alpha/api/v1/admin/billing-runs", {"period": "2026-12"}, content_type="application/json"
    )
    assert run.status_code == 201
    report = run.json()["data"]
    assert (report["units"], report["created"], report["failed"]) == (2, 2, 0)
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


def test_bad_periods_and_filters_are_answered_clearly(tenant_a) -> None:
    manager, resident = _setup(tenant_a)
    for period in ("2026-13", "next month", "2099-01"):
        response = manager.post(
            "/c/alpha/api/v1/admin/billing-runs",
            {"period": period},
            content_type="application/json",
        )
        assert response.status_code == 422, period
        assert "period" in response.json()["error"]["details"]
    for query in (
        "unit=abc",
        "unit=99999999999999999999",
        "period=99999-01",
        "period=0-01",
        "period=99999999999999999999-01",
        "status=lunas",
    ):
        answer = manager.get(f"/c/alpha/api/v1/admin/invoices?{query}")
        assert answer.status_code == 422, query
        assert query.split("=")[0] in answer.json()["error"]["details"]
    tariff = manager.post(
        "/c/alpha/api/v1/admin/tariffs",
        {"charge": "IPL", "rate": "1000", "effective_from": "99999999999999999999-01"},
        content_type="application/json",
    )
    assert tariff.status_code == 422 and "effective_from" in tariff.json()["error"]["details"]
    assert (
        resident.post(
            "/c/alpha/api/v1/admin/billing-runs",
            {"period": "2026-12"},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_a_manager_moves_a_due_date_and_cancels_with_a_reason(tenant_a) -> None:
    from klustera.audit.models import AuditEntry
    from klustera.billing.models import Invoice

    manager, resident = _setup(tenant_a)
    manager.post(
        "/c/alpha/api/v1/admin/billing-runs", {"period": "2026-12"}, content_type="application/json"
    )
    with tenant_context(tenant_a):
        first, second = Invoice.objects.order_by("number")
        Invoice.objects.filter(pk=second.pk).update(status="paid")
    url = f"/c/alpha/api/v1/admin/invoices/{first.pk}"
    moved = manager.put(url, {"due_on": "2026-12-20"}, content_type="application/json")
    assert moved.json()["data"]["due_on"] == "2026-12-20"
    cancelled = manager.put(
        url, {"cancel_reason": "Unit kosong, dibebaskan rapat RW"}, content_type="application/json"
    ).json()["data"]
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"].startswith(
        "Unit kosong"
    )
    paid = manager.put(
        f"/c/alpha/api/v1/admin/invoices/{second.pk}",
        {"cancel_reason": "x"},
        content_type="application/json",
    )
    assert paid.status_code == 422
    assert (
        manager.put(url, {"due_on": "2026-01-01"}, content_type="application/json").status_code
        == 422
    )
    assert (
        resident.put(url, {"cancel_reason": "x"}, content_type="application/json").status_code
        == 403
    )
    with tenant_context(tenant_a):
        assert Invoice.objects.count() == 2  # cancelled, never deleted
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"invoice.cancelled", "invoice.due_date_changed", "billing.run"} <= actions
