"""Factories of the estate: units, residents and their stays."""

from __future__ import annotations

from datetime import date

import factory

from klustera.accounts.tests.factories import UserFactory
from klustera.estate.models import Occupancy, Resident, Unit
from tests.factories import TenantModelFactory


class UnitFactory(TenantModelFactory):
    class Meta:
        model = Unit

    block = "A"
    number = factory.Sequence(lambda n: f"{n + 1:02d}")
    land_area = 100


class ResidentFactory(TenantModelFactory):
    """A resident with a user account of the same name and phone."""

    class Meta:
        model = Resident

    user = factory.SubFactory(UserFactory)
    name = factory.SelfAttribute("user.name")
    phone = factory.SelfAttribute("user.phone")


class OccupancyFactory(TenantModelFactory):
    """An owner living in a unit since 2025, its billing contact."""

    class Meta:
        model = Occupancy

    unit = factory.SubFactory(UnitFactory)
    resident = factory.SubFactory(ResidentFactory)
    role = Occupancy.Role.OWNER
    start_on = date(2025, 1, 1)
    is_billing_contact = True
