"""Reads of the estate registry, scoped to what a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from klustera.accounts.models import User
from klustera.accounts.policies import sees_every_unit
from klustera.estate.models import Occupancy, Resident, Unit


def units_visible_to(user: User) -> QuerySet[Unit]:
    """Managers and staff see every unit; a resident sees the units they currently occupy."""
    if sees_every_unit(user):
        return Unit.objects.all()
    return Unit.objects.filter(
        Q(occupancies__resident__user=user) & Q(occupancies__end_on__isnull=True)
    ).distinct()


def billing_contacts(unit_ids: list[int]) -> dict[int, Resident]:
    """The current billing contact of each unit that has one, with their user account."""
    stays = Occupancy.objects.filter(
        unit_id__in=unit_ids, is_billing_contact=True, end_on__isnull=True
    ).select_related("resident__user")
    return {stay.unit_id: stay.resident for stay in stays}


def of_residents_units(rows: QuerySet[Any], user: User) -> QuerySet[Any]:
    """Rows (with a ``unit``) of the units ``user`` lives in now."""
    return rows.filter(
        unit__occupancies__resident__user=user, unit__occupancies__end_on__isnull=True
    ).distinct()


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
