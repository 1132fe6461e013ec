"""Managers' and the platform's actions leave an append-only trail in the complex."""

from __future__ import annotations

import pytest
from django.test import Client

from klustera.audit.models import AuditEntry
from klustera.tenancy.context import tenant_context
from klustera.tenancy.services import resume_tenant, suspend_tenant
from tests.seed import seed_complex


def _post(path: str, token: str, body: dict, method: str = "post"):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return getattr(client, method)(f"/c/alpha/api/v1/{path}", body, content_type="application/json")


def test_manager_actions_are_recorded_with_who_and_what(tenant_a) -> None:
    data = seed_complex(tenant_a, marker="alpha")
    token = data.manager_token
    assert (
        _post(
            "admin/staff",
            token,
            {"phone": "081244440001", "name": "Agus", "role": "security_staff"},
        ).status_code
        == 201
    )
    assert (
        _post(
            "admin/invitations",
            token,
            {
                "unit_id": data.units[1].pk,
                "name": "Hendra",
                "phone": "081255550001",
                "occupancy_role": "owner",
            },
        ).status_code
        == 201
    )
    assert (
        _post(
            "admin/notifications/settings",
            token,
            {"fonnte_token": "very-secret-token"},
            method="patch",
        ).status_code
        == 200
    )
    trail = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/alpha/api/v1/admin/audit").json()
    actions = [(e["actor_name"], e["action"]) for e in trail["data"]]
    assert actions == [
        ("Manager alpha", "notifications.settings_changed"),
        ("Manager alpha", "resident.invited"),
        ("Manager alpha", "staff.created"),
    ]
    assert "+6281300000001" not in str(trail)  # the chain keeps no phone number
    assert "very-secret-token" not in str(trail)
    assert trail["data"][0]["details"] == {"fields": ["fonnte_token"]}
    only = (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        .get("/c/alpha/api/v1/admin/audit?action=staff.created")
        .json()
    )
    assert [e["action"] for e in only["data"]] == ["staff.created"]


def test_platform_suspensions_are_recorded_in_the_complex(tenant_a) -> None:
    suspend_tenant(tenant=tenant_a)
    resume_tenant(tenant=tenant_a)
    with tenant_context(tenant_a):
        trail = list(AuditEntry.objects.values_list("actor_label", "action"))
    assert trail == [("platform", "tenant.resumed"), ("platform", "tenant.suspended")]


def test_entries_cannot_be_changed_or_deleted(tenant_a) -> None:
    suspend_tenant(tenant=tenant_a)
    with tenant_context(tenant_a):
        entry = AuditEntry.objects.get()
        entry.action = "nothing.happened"
        with pytest.raises(ValueError, match="append-only"):
            entry.save()
        with pytest.raises(ValueError, match="append-only"):
            entry.delete()
        assert AuditEntry.objects.get().action == "tenant.suspended"
