from __future__ import annotations

import pytest
from django.test import Client

from klustera.observability.tasks import last_heartbeat, worker_heartbeat
from klustera.tasks import QUEUES
from klustera.tenancy.models import Tenant


@pytest.mark.django_db
def test_liveness_needs_no_database() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_readiness_reports_each_store(tenant_a) -> None:
    worker_heartbeat()
    body = Client().get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["platform_database"]["ok"]
    assert body["checks"]["tenant_database"]["detail"] == "alpha"
    assert body["checks"]["queue"]["detail"]["worker_heartbeat_age_s"] == 0
    pending = body["checks"]["queue"]["detail"]["pending"]
    assert set(pending) == set(QUEUES) and all(isinstance(n, int) for n in pending.values())
    assert last_heartbeat() is not None


def test_readiness_fails_when_a_tenant_database_is_unreachable(tmp_path, tenant_a) -> None:
    Tenant.objects.filter(status="active").update(status="suspended")
    Tenant.objects.create(
        name="Lost", slug="aaa-lost", status="active", db_name=str(tmp_path / "lost.sqlite3")
    )
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["tenant_database"] == {
        "ok": False,
        "error": "TenantUnavailable",
    }


@pytest.mark.django_db
def test_the_stylesheet_is_served() -> None:
    response = Client().get("/static/klustera/portal.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content)
    assert b".verdict.allowed" in css and b".site-header" in css  # the built Tailwind file
