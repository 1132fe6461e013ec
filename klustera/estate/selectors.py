"""Reads of the estate registry, scoped to what a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from klustera.accounts.models import User
from klustera.accounts.policies import sees_every_unit
from klustera.estate.models import Unit


def units_visible_to(user: User) -> QuerySet[Unit]:
    """Managers and staff see every unit; a resident sees the units they currently occupy."""
    if sees_every_unit(user):
        return Unit.objects.all()
    return Unit.objects.filter(
        Q(occupancies__resident__user=user) & Q(occupancies__end_on__isnull=True)
    ).distinct()
