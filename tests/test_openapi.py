"""The OpenAPI document, and the API checked against it by schemathesis."""

from __future__ import annotations

import pytest
import schemathesis
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from klustera.wsgi import application
from tests.seed import seed_complex

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application


@pytest.mark.django_db
def test_the_schema_and_its_docs_page_are_served_from_local_files() -> None:
    client = Client()
    document = client.get("/api/v1/schema/?format=json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert "/api/v1/auth/login" in paths and "/api/v1/admin/notifications/outbox" in paths
    login_ok = paths["/api/v1/auth/login"]["post"]["responses"]["200"]["content"]
    envelope = login_ok["application/json"]["schema"]
    assert envelope["properties"]["success"] == {"type": "boolean", "enum": [True]}
    assert "429" in paths["/api/v1/auth/login"]["post"]["responses"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


@pytest.fixture
def keep_test_transaction():  # type: ignore[no-untyped-def]
    """As Django's test client does: requests must not close the test's open transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def manager_header(tenant_a, monkeypatch, keep_test_transaction):  # type: ignore[no-untyped-def]
    # Generous limits: this test is about schemas, not rate limits.
    for scope in ("ip", "user", "public", "phone"):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")
    data = seed_complex(tenant_a, marker="alpha")
    return {"Authorization": f"Bearer {data['manager_token']}"}


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_schema(case, manager_header) -> None:  # type: ignore[no-untyped-def]
    # Left out: positive-data acceptance (a schema-valid body can still name a unit that does
    # not exist or a phone that is not Indonesian, and must be refused) and negative-data
    # rejection (DRF deliberately reads 0 as "0" for a text field). What stays: no 5xx, every
    # status code documented, every body matching its schema and content type.
    case.call_and_validate(
        headers=manager_header, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
