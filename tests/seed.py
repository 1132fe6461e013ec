"""Small builders for tests: the same unit numbers and phones in every tenant on purpose."""

from __future__ import annotations

from datetime import date

from klustera.accounts.models import User
from klustera.accounts.services import create_user, issue_token
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


def seed_complex(tenant: Tenant, *, marker: str) -> dict[str, object]:
    """Units A-01 and A-02 (``marker`` in their floor area), a manager and a resident of A-01."""
    with tenant_context(tenant):
        land = {"alpha": 100, "beta": 200}.get(marker, 300)
        units = [Unit.objects.create(block="A", number=f"0{n}", land_area=land) for n in (1, 2)]
        manager = create_user(
            phone="081300000001",
            name=f"Manager {marker}",
            password="x-pass-123",
            roles=[Role.PROPERTY_MANAGER],
        )
        resident_user = create_user(
            phone="081300000002",
            name=f"Resident {marker}",
            password="x-pass-123",
            roles=[Role.RESIDENT],
        )
        resident = Resident.objects.create(
            name=resident_user.name, phone=resident_user.phone, user=resident_user
        )
        Occupancy.objects.create(
            unit=units[0],
            resident=resident,
            role=Occupancy.Role.OWNER,
            start_on=date(2025, 1, 1),
            is_billing_contact=True,
        )
        manager_token, _ = issue_token(user=manager, device_name="test")
        resident_token, _ = issue_token(user=resident_user, device_name="test")
    return {
        "units": units,
        "manager_token": manager_token,
        "resident_token": resident_token,
        "land": land,
    }


def user_count(tenant: Tenant) -> int:
    with tenant_context(tenant):
        return User.objects.count()
