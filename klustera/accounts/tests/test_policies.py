from __future__ import annotations

from datetime import date

from klustera.accounts.policies import can_view_unit, is_manager, sees_every_unit
from klustera.accounts.roles import Role
from klustera.accounts.services import create_user
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.tenancy.context import tenant_context


def test_a_resident_sees_the_unit_they_live_in_now_and_not_after_moving_out(tenant_a) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_a):
        home, neighbour = Unit.objects.create(number="1"), Unit.objects.create(number="2")
        user = create_user(phone="081311110000", name="Wati", roles=[Role.RESIDENT])
        guard = create_user(phone="081311110001", name="Joko", roles=[Role.SECURITY_STAFF])
        resident = Resident.objects.create(name="Wati", phone=user.phone, user=user)
        stay = Occupancy.objects.create(
            unit=home, resident=resident, role="renter", start_on=date(2025, 1, 1)
        )
        assert can_view_unit(user, home) and not can_view_unit(user, neighbour)
        assert can_view_unit(guard, neighbour) and sees_every_unit(guard)
        assert not is_manager(guard) and not is_manager(user)
        stay.end_on = date(2026, 6, 30)
        stay.save()
        assert not can_view_unit(user, home)
