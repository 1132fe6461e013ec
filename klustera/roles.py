"""The roles of a complex, held as Django groups in the tenant database, and who has them.

Plain functions that read the user's roles through ``user.groups.all()``, prefetched
on the user the first time they are asked: a page that asks five times (its view, the
navigation, the templates) reads them once, and a user prefetched with its groups (a token's
cached record) never. Changing the roles through that user (``user.groups.add``) forgets
them, as Django does for any prefetched relation. Which units a user acts for is the
estate's question (``estate.selectors``): only managers act for every unit.
``accounts`` assigns roles; every app may ask about them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    RESIDENT = "resident", _("Resident")
    SECURITY_STAFF = "security_staff", _("Security staff")
    CLEANING_STAFF = "cleaning_staff", _("Cleaning staff")
    FACILITY_STAFF = "facility_staff", _("Facility staff")


STAFF_ROLES = frozenset({Role.SECURITY_STAFF, Role.CLEANING_STAFF, Role.FACILITY_STAFF})


def roles_of(user: Any) -> set[str]:
    if not (user and user.is_authenticated):
        return set()
    if "groups" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], "groups")
    return {group.name for group in user.groups.all()}


def is_manager(user: Any) -> bool:
    return Role.PROPERTY_MANAGER in roles_of(user)


def is_staff_member(user: Any) -> bool:
    """Security, cleaning or facility staff of the complex."""
    return bool(roles_of(user) & STAFF_ROLES)


def guards_the_gate(user: Any) -> bool:
    """Security staff work the gate; managers may stand in for them."""
    roles = roles_of(user)
    return Role.SECURITY_STAFF in roles or Role.PROPERTY_MANAGER in roles
