"""Every API answer, success or failure, comes in the one envelope."""

from __future__ import annotations

import pytest
from django.test import Client

from klustera.accounts.models import User
from klustera.estate.models import Unit
from klustera.tenancy.context import platform_context, tenant_context
from tests.seed import seed_complex


@pytest.fixture
def alpha(tenant_a):
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        Unit.objects.bulk_create(Unit(block="B", number=f"{n:03d}") for n in range(150))
    return Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")


def test_pages_hold_at_most_100_and_report_the_total(alpha) -> None:
    too_many = alpha.get("/c/alpha/api/v1/units?per_page=500").json()
    assert (
        too_many["error"]["code"] == "VALIDATION_ERROR"
        and "per_page" in too_many["error"]["details"]
    )
    body = alpha.get("/c/alpha/api/v1/units?per_page=100&page=1").json()
    assert body["success"] is True
    assert len(body["data"]) == 100
    assert body["meta"] == {"page": 1, "per_page": 100, "total": 152}
    second = alpha.get("/c/alpha/api/v1/units?per_page=100&page=2").json()
    assert len(second["data"]) == 52


def test_a_page_past_the_end_is_not_found(alpha) -> None:
    response = alpha.get("/c/alpha/api/v1/units?page=99")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_wrong_method_is_refused_in_the_envelope(alpha) -> None:
    response = alpha.delete("/c/alpha/api/v1/units")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_tenant_data_asked_for_in_the_platform_scope_is_refused(tenant_a) -> None:
    with platform_context():
        operator = User.objects.create_user("081999000001", "pw-123456", name="Operator")
        client = Client()
        client.force_login(operator)
    response = client.get("/api/v1/units")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "TENANT_UNKNOWN"


def test_unknown_fields_are_refused_not_ignored(tenant_a) -> None:
    response = Client().post(
        "/c/alpha/api/v1/auth/login",
        {"phone": "081300000001", "password": "x", "is_superuser": True},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"is_superuser": ["Kolom tidak dikenal."]}


def test_an_oversized_body_is_refused_in_the_envelope(tenant_a, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = Client().post(
        "/c/alpha/api/v1/auth/login",
        '{"phone": "' + "9" * 5000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_platform_admins_live_in_the_platform_database_and_sign_in_there(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "KLUSTERA_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
        "DJANGO_SUPERUSER_PASSWORD": "platform-admin-1",
    }
    run = [sys.executable, "-m", "klustera"]
    assert (
        subprocess.run([*run, "tenants", "migrate"], env=env, capture_output=True).returncode == 0
    )
    created = subprocess.run(
        [*run, "createsuperuser", "--noinput", "--phone", "081900000001", "--name", "Operator"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "platform.sqlite3") as db:
        rows = db.execute("SELECT phone, is_superuser FROM accounts_user").fetchall()
    assert rows == [("+6281900000001", 1)]


def test_the_api_writes_the_same_json_as_drf_would() -> None:
    """orjson writes the answers; what it writes is what DRF's own renderer wrote."""
    import uuid
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.utils.translation import gettext_lazy
    from rest_framework.renderers import JSONRenderer

    from klustera.api import OrjsonRenderer

    data = {
        "success": True,
        "data": [
            {
                "at": datetime(2026, 12, 3, 5, 6, 7, 891234, tzinfo=UTC),
                "on": date(2026, 12, 3),
                "amount": Decimal("250000.50"),
                "label": gettext_lazy("Paid"),
                "id": uuid.UUID(int=7),
                "name": "Bu Sri — Blok A/01 \u2028",
                "nothing": None,
            }
        ],
        "meta": {"count": 1},
    }
    ours = OrjsonRenderer().render(data)
    assert ours == JSONRenderer().render(data).replace(b"\\u2028", "\u2028".encode())
    assert OrjsonRenderer().render(None) == b""
