"""Who may do what, as plain functions: the API's permissions and the portal use these.

Object rules read the user's roles through ``user.groups.all()``, so a
prefetched user costs no extra queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from klustera.accounts.roles import STAFF_ROLES, Role

if TYPE_CHECKING:
    from klustera.estate.models import Unit


def roles_of(user: Any) -> set[str]:
    if not (user and user.is_authenticated):
        return set()
    return {group.name for group in user.groups.all()}


def is_manager(user: Any) -> bool:
    return Role.PROPERTY_MANAGER in roles_of(user)


def sees_every_unit(user: Any) -> bool:
    """Managers and staff work across the whole complex."""
    roles = roles_of(user)
    return Role.PROPERTY_MANAGER in roles or bool(roles & STAFF_ROLES)


def can_view_unit(user: Any, unit: Unit) -> bool:
    """Managers and staff see every unit; a resident sees the units they live in now."""
    if sees_every_unit(user):
        return True
    return unit.occupancies.filter(resident__user=user, end_on__isnull=True).exists()


def guards_the_gate(user: Any) -> bool:
    """Security staff work the gate; managers may stand in for them."""
    roles = roles_of(user)
    return Role.SECURITY_STAFF in roles or Role.PROPERTY_MANAGER in roles
