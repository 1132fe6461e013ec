"""Who works here: the people other apps address by role."""

from __future__ import annotations

from django.db.models import QuerySet

from klustera.accounts.models import User
from klustera.roles import STAFF_ROLES, Role


def active_managers() -> QuerySet[User]:
    """The complex's property managers who can still sign in."""
    return User.objects.filter(groups__name=Role.PROPERTY_MANAGER, is_active=True)


def active_staff() -> QuerySet[User]:
    """Facility, cleaning and security staff who can still sign in, by name."""
    return (
        User.objects.filter(groups__name__in=STAFF_ROLES, is_active=True)
        .distinct()
        .order_by("name", "pk")
    )
