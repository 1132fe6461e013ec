"""The audit trail page: filters, and who may read it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from klustera.audit.models import AuditEntry
from klustera.audit.services import record
from klustera.tenancy.context import tenant_context


def test_a_manager_filters_the_audit_trail_by_area_person_and_days(portal, tenant_a) -> None:
    with tenant_context(tenant_a):
        manager = portal["manager"]
        record(actor=manager, action="invoice.cancelled", reason="Dobel")
        record(actor=None, action="billing.settings_changed")
        old = record(actor=manager, action="tariff.created")
        AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = portal["clients"]["manager"]
    page = client.get("/c/alpha/manage/audit/").content.decode()
    assert "invoice.cancelled" in page and "Dobel" in page and "tariff.created" in page
    invoices = client.get("/c/alpha/manage/audit/?area=invoice").content.decode()
    assert "invoice.cancelled" in invoices and "billing.settings_changed" not in invoices
    by_name = client.get("/c/alpha/manage/audit/?actor=manager").content.decode()
    assert "invoice.cancelled" in by_name and "billing.settings_changed" not in by_name
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = client.get(f"/c/alpha/manage/audit/?since={since}").content.decode()
    assert "tariff.created" not in recent and "invoice.cancelled" in recent
    assert client.get("/c/alpha/manage/audit/?since=yesterday").status_code == 400
    api = client.get(f"/c/alpha/api/v1/admin/audit?area=invoice&since={since}")
    assert [e["action"] for e in api.json()["data"]] == ["invoice.cancelled"]
    assert portal["clients"]["resident"].get("/c/alpha/manage/audit/").status_code == 403
