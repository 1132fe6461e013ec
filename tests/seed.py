"""Small builders for tests: the same unit numbers and phones in every tenant on purpose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from klustera.accounts.models import User
from klustera.accounts.services import issue_token
from klustera.accounts.tests.factories import UserFactory
from klustera.estate.models import Resident, Unit
from klustera.estate.tests.factories import OccupancyFactory, ResidentFactory, UnitFactory
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@dataclass(frozen=True)
class SeededComplex:
    """What ``seed_complex`` made: two units, a manager and a resident of the first, signed in."""

    units: list[Unit]
    manager: User
    resident_user: User
    resident: Resident
    manager_token: str
    resident_token: str
    land: int

    def as_dict(self) -> dict[str, Any]:
        """A fixture that adds its own objects starts from this."""
        return dict(vars(self))


def seed_complex(tenant: Tenant, *, marker: str) -> SeededComplex:
    """Units A-01 and A-02 (``marker`` in their floor area), a manager and a resident of A-01."""
    with tenant_context(tenant):
        land = {"alpha": 100, "beta": 200}.get(marker, 300)
        units = [UnitFactory(number=f"0{n}", land_area=land) for n in (1, 2)]
        manager = UserFactory(
            phone="081300000001", name=f"Manager {marker}", roles=[Role.PROPERTY_MANAGER]
        )
        resident = ResidentFactory(
            user__phone="081300000002", user__name=f"Resident {marker}", user__roles=[Role.RESIDENT]
        )
        OccupancyFactory(unit=units[0], resident=resident)
        resident_user = resident.user
        manager_token, _ = issue_token(user=manager, device_name="test")
        resident_token, _ = issue_token(user=resident_user, device_name="test")
    return SeededComplex(
        units=units,
        manager=manager,
        resident_user=resident_user,
        resident=resident,
        manager_token=manager_token,
        resident_token=resident_token,
        land=land,
    )


def user_count(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return User.objects.count()
