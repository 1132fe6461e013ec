"""Accounts' part in a new complex: its first manager."""

from __future__ import annotations

from typing import Any

from klustera.accounts.services import create_user
from klustera.roles import Role


def create_first_manager(*, manager: Any, **_: Any) -> None:
    """The manager named at provisioning, with their password (if any)."""
    create_user(
        phone=manager.phone,
        name=manager.name,
        password=manager.password,
        roles=[Role.PROPERTY_MANAGER],
    )
