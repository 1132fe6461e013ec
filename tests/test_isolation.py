"""Tenant isolation, end to end, on SQLite and on PostgreSQL.

Both complexes have units A-01 and A-02 and users with the same phone
numbers; every way of reaching a tenant must show that tenant's rows only.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from klustera.estate.models import Unit
from klustera.tasks import tenant_task
from klustera.tenancy.context import platform_context, tenant_context
from klustera.tenancy.errors import CrossTenantAccess, NoTenantSelected
from tests.seed import seed_complex


@tenant_task("default")
def stamp_units(floor: int) -> int:
    return Unit.objects.update(floor=floor)


@pytest.fixture
def seeded(tenant_pair):
    a, b = tenant_pair
    return (a, seed_complex(a, marker="alpha")), (b, seed_complex(b, marker="beta"))


def _lands(response) -> set[Decimal]:
    assert response.status_code == 200, response.content
    return {Decimal(row["land_area"]) for row in response.json()["data"]}


def test_each_path_prefix_shows_only_its_own_units(seeded) -> None:
    client = Client()
    for tenant, data in seeded:
        response = client.get(
            f"/c/{tenant.slug}/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {data.manager_token}"
        )
        assert _lands(response) == {Decimal(data.land)}
        assert [r["number"] for r in response.json()["data"]] == ["01", "02"]
        assert response.json()["meta"]["total"] == 2


def test_each_subdomain_shows_only_its_own_units(seeded) -> None:
    for tenant, data in seeded:
        client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
        response = client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
        assert _lands(response) == {Decimal(data.land)}


def test_a_token_routes_to_its_own_tenant_on_the_shared_host(seeded) -> None:
    client = Client()
    for tenant, data in seeded:
        response = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
        assert response.status_code == 200
        assert response.json()["data"]["complex"]["slug"] == tenant.slug
        assert (
            response.json()["data"]["name"] == f"Manager {'alpha' if data.land == 100 else 'beta'}"
        )


def test_another_tenants_token_is_rejected_on_a_tenant_host(seeded) -> None:
    (a, _), (_, b_data) = seeded
    response = Client(HTTP_HOST=f"{a.slug}.localhost").get(
        "/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {b_data.manager_token}"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_another_tenants_unit_id_is_not_found(seeded) -> None:
    (a, a_data), (b, b_data) = seeded
    only_in_b = max(u.pk for u in b_data.units) + 1000  # an id A certainly lacks
    with tenant_context(b):
        Unit.objects.create(block="Z", number="99", pk=only_in_b)
    client = Client()
    response = client.get(
        f"/c/{a.slug}/api/v1/units/{only_in_b}",
        HTTP_AUTHORIZATION=f"Bearer {a_data.manager_token}",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_resident_sees_only_their_own_unit(seeded) -> None:
    (a, a_data), _ = seeded
    response = Client().get(
        f"/c/{a.slug}/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {a_data.resident_token}"
    )
    assert [row["number"] for row in response.json()["data"]] == ["01"]


def test_a_tenant_query_with_no_tenant_selected_raises(tenant_pair) -> None:
    with pytest.raises(NoTenantSelected):
        Unit.objects.count()
    with platform_context(), pytest.raises(NoTenantSelected):
        list(Unit.objects.all())


def test_an_object_of_one_tenant_cannot_be_saved_into_another(seeded) -> None:
    (_a, a_data), (b, _) = seeded
    unit_of_a = a_data.units[0]
    with tenant_context(b), pytest.raises(CrossTenantAccess):
        unit_of_a.save()
    with tenant_context(b), pytest.raises(CrossTenantAccess):
        list(unit_of_a.occupancies.all())


def test_a_task_enqueued_for_one_tenant_touches_only_that_tenant(seeded) -> None:
    (a, _), (b, _) = seeded
    with tenant_context(a):
        stamp_units(7)
    with tenant_context(a):
        assert set(Unit.objects.values_list("floor", flat=True)) == {7}
    with tenant_context(b):
        assert set(Unit.objects.values_list("floor", flat=True)) == {None}
