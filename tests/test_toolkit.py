"""The test toolkit does what it says: factories write to the complex, the API client unwraps."""

from __future__ import annotations

from klustera.accounts.models import User
from klustera.accounts.tests.factories import UserFactory
from klustera.estate.models import Occupancy, Unit
from klustera.estate.tests.factories import OccupancyFactory
from klustera.roles import Role
from klustera.tenancy.models import Tenant


def test_factories_write_to_the_current_complex(in_tenant_a, tenant_b) -> None:
    stay = OccupancyFactory(unit__number="07")
    assert Unit.objects.get(number="07").pk == stay.unit_id
    assert Occupancy.objects.get().resident.user.groups.get().name == Role.RESIDENT
    assert stay.resident.phone.startswith("+62")  # through create_user: E.164
    assert Tenant.objects.count() >= 2  # the platform database is still the platform's


def test_the_api_client_signs_in_and_unwraps_the_envelope(api, tenant_a) -> None:
    from klustera.tenancy.context import tenant_context

    with tenant_context(tenant_a):
        manager = UserFactory(name="Bu Manajer", roles=[Role.PROPERTY_MANAGER])
        OccupancyFactory.create_batch(3)
    me = api(manager).get("auth/me")
    assert (me.status, me.data["name"]) == (200, "Bu Manajer")
    units = api(manager).get("units", per_page=2)
    assert len(units.data) == 2 and units.meta["total"] == 3
    refused = api().get("units")
    assert (refused.status, refused.error["code"]) == (401, "UNAUTHENTICATED")
    with tenant_context(tenant_a):
        assert User.objects.filter(name="Bu Manajer").exists()
