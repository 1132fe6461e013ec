"""Reads of the estate registry, scoped to what a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from klustera.accounts.models import User
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.roles import Role, guards_the_gate, is_manager


def units_visible_to(user: User) -> QuerySet[Unit]:
    """The units ``user`` acts for: every unit for a manager, else the units they live in now.

    A staff role gives no unit: a guard, a cleaner or a technician sees a
    unit's statement, virtual account, household or guests only where they
    live themselves. The gate's own endpoints name any unit for walk-ins and
    parcels (``unit_labels_visible_to``).
    """
    if is_manager(user):
        return Unit.objects.all()
    return Unit.objects.filter(
        Q(occupancies__resident__user=user) & Q(occupancies__end_on__isnull=True)
    ).distinct()


def access_unit(user: Any, pk: Any) -> Unit:
    """The unit ``pk`` if ``user`` acts for it: fetched, scoped and checked in one call (404)."""
    return get_object_or_404(units_visible_to(user), pk=pk)


def unit_labels_visible_to(user: User) -> QuerySet[Unit]:
    """The units whose label and size ``user`` may read: the gate needs every unit's."""
    if guards_the_gate(user):
        return Unit.objects.all()
    return units_visible_to(user)


def acts_for_unit(user: User, unit: Unit) -> bool:
    """Whether the active account ``user`` manages the complex or lives in ``unit`` now."""
    return _acting_for(user.pk, unit.pk).exists()


def still_acts_for(user: Any, unit: Any) -> Exists:
    """``acts_for_unit`` as an expression over another query's columns (``OuterRef("host")``).

    The gate asks it inside the lookup of a guest code: one round trip, not two.
    """
    return Exists(_acting_for(user, unit))


def _acting_for(user: Any, unit: Any) -> QuerySet[User]:
    stays_here = Q(resident__occupancies__unit=unit) & Q(resident__occupancies__end_on__isnull=True)
    return User.objects.filter(pk=user, is_active=True).filter(
        Q(groups__name=Role.PROPERTY_MANAGER) | stays_here
    )


def current_households(unit_path: str) -> Prefetch:
    """Prefetch, on the unit at ``unit_path``, its current stays with their residents (``current``).

    What the gate shows a guard of a visitor's unit: who lives there now.
    """
    stays = Occupancy.objects.filter(end_on__isnull=True).select_related("resident")
    return Prefetch(f"{unit_path}__occupancies", queryset=stays, to_attr="current")


def billing_contacts(unit_ids: list[int]) -> dict[int, Resident]:
    """The current billing contact of each unit that has one, with their user account."""
    stays = Occupancy.objects.filter(
        unit_id__in=unit_ids, is_billing_contact=True, end_on__isnull=True
    ).select_related("resident__user")
    return {stay.unit_id: stay.resident for stay in stays}


def of_residents_units(rows: QuerySet[Any], user: User) -> QuerySet[Any]:
    """Rows (with a ``unit``) of the units ``user`` lives in now (a semi-join: no row twice,
    without a DISTINCT over the rows)."""
    homes = Occupancy.objects.filter(resident__user=user, end_on__isnull=True)
    return rows.filter(unit__in=homes.values("unit"))


def users_living_in(*, unit: Unit | None = None, block: str = "") -> QuerySet[User]:
    """The active accounts of the residents living now in ``unit``, in ``block``, or anywhere.

    These are the people told about a unit's visitors and parcels, and about announcements.
    """
    stays = Occupancy.objects.filter(end_on__isnull=True)
    if unit is not None:
        stays = stays.filter(unit=unit)
    if block:
        stays = stays.filter(unit__block=block)
    return (
        User.objects.filter(is_active=True, resident__occupancies__in=stays)
        .distinct()
        .order_by("pk")
    )
