"""A NUL byte in any documented parameter or text field, on PostgreSQL: a 4xx, never a 500.

PostgreSQL refuses NUL in text, and each refusal used to surface as a 500.
Every operation of the OpenAPI document is sent NUL in each query parameter
and in every text field of its JSON body, as the manager (who reaches the most).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle

from tests.seed import seed_complex

NUL = "a\x00b"


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = SchemaGenerator().get_schema(request=None, public=True)
    schemas = document["components"]["schemas"]
    found = []
    for path, items in document["paths"].items():
        for method, operation in items.items():
            if method not in ("get", "post", "put", "patch"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            ref = (body or {}).get("schema", {}).get("$ref", "")
            fields = schemas[ref.rsplit("/", 1)[-1]]["properties"] if ref else {}
            texts = {
                name: NUL
                for name, field in fields.items()
                if field.get("type") == "string" and not field.get("readOnly")
            }
            queries = [
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query" and parameter["schema"].get("type") == "string"
            ]
            found.append((method, path.replace("{id}", "1"), {"body": texts, "query": queries}))
    return found


@pytest.fixture
def pg_manager(tenant_pair, monkeypatch) -> tuple[Client, str]:
    for scope in ("ip", "user", "public", "phone"):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")
    tenant, _other = tenant_pair
    data = seed_complex(tenant, marker="alpha")
    return Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}"), tenant.slug


def test_every_text_parameter_refuses_a_nul_byte_without_a_500(pg_manager) -> None:
    manager, slug = pg_manager
    failures = []
    for method, path, sent in _operations():
        url = f"/c/{slug}{path}"
        for name in sent["query"]:
            answer = manager.get(url, {name: NUL})
            if answer.status_code >= 500:
                failures.append(f"GET {path}?{name}: {answer.status_code}")
        if sent["body"]:
            answer = getattr(manager, method)(url, sent["body"], content_type="application/json")
            if answer.status_code >= 500:
                failures.append(f"{method.upper()} {path} body: {answer.status_code}")
    assert not failures, "\n".join(failures)
