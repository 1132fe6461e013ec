from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group

from klustera.accounts.models import User
from klustera.accounts.services import create_user
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.estate.selectors import acts_for_unit, unit_labels_visible_to, units_visible_to
from klustera.roles import Role, guards_the_gate, is_manager, is_staff_member
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context


def test_a_resident_acts_for_the_unit_they_live_in_now_and_not_after_moving_out(tenant_a) -> None:
    with tenant_context(tenant_a):
        home, neighbour = Unit.objects.create(number="1"), Unit.objects.create(number="2")
        user = create_user(phone="081311110000", name="Wati", roles=[Role.RESIDENT])
        resident = Resident.objects.create(name="Wati", phone=user.phone, user=user)
        stay = Occupancy.objects.create(
            unit=home, resident=resident, role="renter", start_on=date(2025, 1, 1)
        )
        assert acts_for_unit(user, home) and not acts_for_unit(user, neighbour)
        assert list(units_visible_to(user)) == [home]
        stay.end_on = date(2026, 6, 30)
        stay.save()
        assert not acts_for_unit(user, home) and not units_visible_to(user).exists()


def test_staff_act_for_no_unit_and_only_the_guard_reads_every_units_label(tenant_a) -> None:
    with tenant_context(tenant_a):
        unit = Unit.objects.create(number="1")
        guard = create_user(phone="081311110001", name="Joko", roles=[Role.SECURITY_STAFF])
        cleaner = create_user(phone="081311110002", name="Sri", roles=[Role.CLEANING_STAFF])
        manager = create_user(phone="081311110003", name="Budi", roles=[Role.PROPERTY_MANAGER])
        assert is_staff_member(guard) and guards_the_gate(guard) and not is_manager(guard)
        assert is_staff_member(cleaner) and not guards_the_gate(cleaner)
        assert not acts_for_unit(guard, unit) and not units_visible_to(guard).exists()
        assert list(unit_labels_visible_to(guard)) == [unit]
        assert not unit_labels_visible_to(cleaner).exists()
        assert acts_for_unit(manager, unit) and list(units_visible_to(manager)) == [unit]
        manager.is_active = False
        manager.save()
        assert not acts_for_unit(manager, unit)


def test_a_users_roles_are_read_once_however_often_a_page_asks(
    tenant_a, django_assert_num_queries
) -> None:
    with tenant_context(tenant_a):
        created = create_user(phone="081311110004", name="Rina", roles=[Role.RESIDENT])
        user = User.objects.get(pk=created.pk)  # as a request loads them: no roles yet
        with django_assert_num_queries(1, using=alias_for(tenant_a)):
            assert not is_manager(user) and not is_staff_member(user)
            assert not guards_the_gate(user)
        user.groups.add(Group.objects.get_or_create(name=Role.PROPERTY_MANAGER)[0])
        assert is_manager(user)  # a change through the user is seen at once
