"""The role matrix: each role against each family of endpoints."""

from __future__ import annotations

import pytest
from django.test import Client

from klustera.accounts.roles import Role
from klustera.accounts.services import create_user, issue_token
from klustera.tenancy.context import tenant_context

ROLES = [
    Role.PROPERTY_MANAGER,
    Role.RESIDENT,
    Role.SECURITY_STAFF,
    Role.CLEANING_STAFF,
    Role.FACILITY_STAFF,
    None,
]  # None: not signed in
EVERYONE_SIGNED_IN = {r for r in ROLES if r is not None}
MANAGERS = {Role.PROPERTY_MANAGER}
GATE = {Role.PROPERTY_MANAGER, Role.SECURITY_STAFF}

# (method, path, roles allowed)
MATRIX = [
    ("get", "auth/me", EVERYONE_SIGNED_IN),
    ("get", "auth/tokens", EVERYONE_SIGNED_IN),
    ("get", "units", EVERYONE_SIGNED_IN),
    ("get", "notifications/preferences", EVERYONE_SIGNED_IN),
    ("get", "notifications/push-key", EVERYONE_SIGNED_IN),
    ("get", "admin/invitations", MANAGERS),
    ("get", "admin/staff", MANAGERS),
    ("get", "admin/notifications/outbox", MANAGERS),
    ("get", "admin/notifications/settings", MANAGERS),
    ("get", "admin/audit", MANAGERS),
    ("get", "admin/units", MANAGERS),
    ("get", "admin/residents", MANAGERS),
    ("get", "invoices", EVERYONE_SIGNED_IN),
    ("get", "admin/invoices", MANAGERS),
    ("get", "admin/billing-runs", MANAGERS),
    ("get", "admin/tariffs", MANAGERS),
    ("get", "admin/charges", MANAGERS),
    ("get", "admin/billing-settings", MANAGERS),
    ("get", "payments", EVERYONE_SIGNED_IN),
    ("get", "admin/payments", MANAGERS),
    ("get", "admin/payments/xendit", MANAGERS),
    ("get", "admin/payment-attempts", MANAGERS),
    ("get", "payments/transfer-proofs", EVERYONE_SIGNED_IN),
    ("get", "admin/transfer-proofs", MANAGERS),
    ("get", "admin/refunds", MANAGERS),
    ("get", "access/keys", GATE),
    ("get", "admin/access-logs", GATE),
    ("get", "admin/access-logs/export", MANAGERS),
    ("get", "guests", EVERYONE_SIGNED_IN),
    ("get", "access/inside", GATE),
    ("get", "access/walk-ins", EVERYONE_SIGNED_IN),
    ("get", "access/parcels", EVERYONE_SIGNED_IN),
    ("get", "announcements", EVERYONE_SIGNED_IN),
]


@pytest.fixture
def tokens(tenant_a):  # type: ignore[no-untyped-def]
    issued = {}
    with tenant_context(tenant_a):
        for n, role in enumerate(r for r in ROLES if r is not None):
            user = create_user(phone=f"08135555000{n}", name=str(role), roles=[role])
            issued[role] = issue_token(user=user)[0]
    return issued


@pytest.mark.parametrize("method,path,allowed", MATRIX, ids=[m[1] for m in MATRIX])
def test_each_role_gets_what_the_matrix_says(method: str, path: str, allowed: set, tokens) -> None:  # type: ignore[no-untyped-def,type-arg]
    for role in ROLES:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role else {}
        response = getattr(Client(**headers), method)(f"/c/alpha/api/v1/{path}")
        denied = 401 if role is None else 403
        expected = 200 if role in allowed else denied
        assert response.status_code == expected, (role, path, response.content[:200])
        if expected != 200:
            code = response.json()["error"]["code"]
            assert code == ("UNAUTHENTICATED" if role is None else "PERMISSION_DENIED")


def test_a_manager_who_also_lives_there_holds_both_roles(tenant_a) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_a):
        user = create_user(
            phone="081355559999", name="Pak RT", roles=[Role.PROPERTY_MANAGER, Role.RESIDENT]
        )
        token = issue_token(user=user)[0]
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/alpha/api/v1/auth/me").json()
    assert me["data"]["roles"] == ["property_manager", "resident"]
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/c/alpha/api/v1/admin/staff").status_code
        == 200
    )
