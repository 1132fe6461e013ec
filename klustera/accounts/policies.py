"""Who may do what, as plain functions: the API's permissions and the portal use these.

Object rules read the user's roles through ``user.groups.all()``, so a
prefetched user costs no extra queries. Which units a user acts for is the
estate's question (``estate.selectors``): only managers act for every unit.
"""

from __future__ import annotations

from typing import Any

from klustera.accounts.roles import STAFF_ROLES, Role


def roles_of(user: Any) -> set[str]:
    if not (user and user.is_authenticated):
        return set()
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
