"""A complex with a resident, a manager and a guard at the gate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from klustera.accounts.models import User
from klustera.accounts.services import create_user, issue_token
from klustera.estate.models import Resident
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


@pytest.fixture
def gate(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    with tenant_context(tenant_a):
        guard = create_user(phone="081300000007", name="Pak Satpam", roles=[Role.SECURITY_STAFF])
        data["guard_user"] = guard
        data["guard"] = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=guard)[0]}")
        data["resident_record"] = Resident.objects.get(user__phone="+6281300000002")
        data["host"] = User.objects.get(phone="+6281300000002")
    data["resident"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['resident_token']}")
    data["manager"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['manager_token']}")
    return data


def post_json(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{BASE}/{path}", body or {}, "application/json")
