"""API keys for a complex's own systems: shown once, scoped, limited, audited, revocable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from klustera.accounts.models import ApiKey, User
from klustera.audit.models import AuditEntry
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


@pytest.fixture
def complex_a(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    data["manager"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['manager_token']}")
    return data


def _make_key(manager: Client, scope: str, **extra: Any) -> str:
    answer = manager.post(
        f"{BASE}/admin/api-keys",
        {
            "name": f"Sistem {scope}",
            "scope": scope,
            "expires_at": (timezone.now() + timedelta(days=30)).isoformat(),
            **extra,
        },
        "application/json",
    )
    assert answer.status_code == 201, answer.content
    assert "no-store" in answer["Cache-Control"]
    return str(answer.json()["data"]["key"])


def _as(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_key_is_shown_once_and_only_its_digest_is_kept(complex_a, tenant_a) -> None:
    key = _make_key(complex_a["manager"], "read_only")
    assert key.startswith("alpha.key_")
    listed = complex_a["manager"].get(f"{BASE}/admin/api-keys").json()["data"]
    assert [row["name"] for row in listed] == ["Sistem read_only"] and "key" not in listed[0]
    with connections[alias_for(tenant_a)].cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apikey")
        assert key not in " ".join(str(value) for value in cursor.fetchone())
    with tenant_context(tenant_a):
        assert AuditEntry.objects.filter(action="api_key.created").count() == 1


@pytest.mark.parametrize(
    ("scope", "allowed", "refused"),
    [
        ("read_only", [("get", "admin/invoices"), ("get", "admin/access-logs")],
         [("post", "admin/units"), ("get", "auth/me"), ("get", "admin/api-keys")]),
        ("billing", [("get", "admin/invoices"), ("post", "admin/payments")],
         [("get", "admin/access-logs"), ("get", "admin/units"), ("post", "admin/api-keys")]),
        ("access", [("get", "admin/access-logs"), ("post", "access/verify")],
         [("get", "admin/invoices"), ("get", "admin/staff")]),
    ],
)  # fmt: skip
def test_a_key_reaches_only_its_scope(complex_a, scope, allowed, refused) -> None:
    client = _as(_make_key(complex_a["manager"], scope))
    for method, path in allowed:
        answer = getattr(client, method)(f"{BASE}/{path}", {}, "application/json")
        assert answer.status_code in (200, 422), (scope, path, answer.content[:200])
    for method, path in refused:
        answer = getattr(client, method)(f"{BASE}/{path}", {}, "application/json")
        assert answer.status_code == 403, (scope, path)
        assert answer.json()["error"]["code"] == "PERMISSION_DENIED"


def test_revoked_expired_and_orphaned_keys_stop_working(complex_a, tenant_a) -> None:
    manager = complex_a["manager"]
    revoked, expired, orphaned = (_make_key(manager, "read_only") for _ in range(3))
    with tenant_context(tenant_a):
        keys = list(ApiKey.objects.order_by("pk"))
        ApiKey.objects.filter(pk=keys[1].pk).update(expires_at=timezone.now())
    assert _as(revoked).get(f"{BASE}/admin/invoices").status_code == 200
    assert manager.post(f"{BASE}/admin/api-keys/{keys[0].pk}/revoke").status_code == 200
    assert _as(revoked).get(f"{BASE}/admin/invoices").status_code == 401
    assert _as(expired).get(f"{BASE}/admin/invoices").status_code == 401
    with tenant_context(tenant_a):
        User.objects.filter(phone="+6281300000001").update(is_active=False)
    assert _as(orphaned).get(f"{BASE}/admin/invoices").status_code == 401
    with tenant_context(tenant_a):
        assert AuditEntry.objects.filter(action="api_key.revoked").count() == 1


def test_each_key_has_its_own_rate_limit(complex_a, monkeypatch) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "api_key", "2/min")
    first, second = (_as(_make_key(complex_a["manager"], "read_only")) for _ in range(2))
    assert [first.get(f"{BASE}/admin/invoices").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(f"{BASE}/admin/invoices").status_code == 200
    assert complex_a["manager"].get(f"{BASE}/admin/invoices").status_code == 200


def test_only_managers_make_keys_and_a_year_at_most(complex_a, tenant_b) -> None:
    resident = Client(HTTP_AUTHORIZATION=f"Bearer {complex_a['resident_token']}")
    body = {"name": "x", "scope": "billing", "expires_at": timezone.now().isoformat()}
    assert resident.post(f"{BASE}/admin/api-keys", body, "application/json").status_code == 403
    too_long = (timezone.now() + timedelta(days=400)).isoformat()
    answer = complex_a["manager"].post(
        f"{BASE}/admin/api-keys", {**body, "expires_at": too_long}, "application/json"
    )
    assert answer.status_code == 422 and "expires_at" in answer.json()["error"]["details"]
    key = _make_key(complex_a["manager"], "read_only")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/c/beta/api/v1/units").status_code == 401


def test_a_manager_makes_and_revokes_a_key_in_the_portal(complex_a, tenant_a) -> None:
    browser = Client()
    browser.post("/c/alpha/login", {"username": "081300000001", "password": "x-pass-123"})
    expires = (timezone.localdate() + timedelta(days=60)).isoformat()
    page = browser.post(
        "/c/alpha/manage/api-keys/",
        {"name": "Akuntansi", "scope": "billing", "expires_on": expires},
    )
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    secret = html.split('id="new-key" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("alpha.key_")
    assert _as(secret).get(f"{BASE}/admin/invoices").status_code == 200
    assert secret not in browser.get("/c/alpha/manage/api-keys/").content.decode()  # once
    with tenant_context(tenant_a):
        key = ApiKey.objects.get()
    revoked = browser.post("/c/alpha/manage/api-keys/", {"revoke": str(key.pk)})
    assert revoked.status_code == 302
    assert _as(secret).get(f"{BASE}/admin/invoices").status_code == 401
    too_late = browser.post(
        "/c/alpha/manage/api-keys/",
        {"name": "Lama", "scope": "billing", "expires_on": "2099-01-01"},
    )
    assert 'class="error"' in too_late.content.decode()
