"""Accounts' part in a new complex (its first manager), and a changed user's cached tokens."""

from __future__ import annotations

from typing import Any

from klustera.accounts.services import create_user
from klustera.accounts.token_cache import forget_tokens, forget_user
from klustera.roles import Role


def create_first_manager(*, manager: Any, **_: Any) -> None:
    """The manager named at provisioning, with their password (if any)."""
    create_user(
        phone=manager.phone,
        name=manager.name,
        password=manager.password,
        roles=[Role.PROPERTY_MANAGER],
    )


def forget_changed_user(*, instance: Any, created: bool = False, **_: Any) -> None:
    """A user saved (password, profile, deactivated, anonymised): their cached tokens go."""
    if not created:
        forget_user(instance.pk)


def forget_changed_roles(
    *, instance: Any, action: str, reverse: bool, pk_set: Any, **_: Any
) -> None:
    """Roles given or taken: the cached tokens of each user concerned go."""
    if action not in {"post_add", "post_remove", "post_clear", "pre_clear"}:
        return
    for user_id in (pk_set or ()) if reverse else (instance.pk,):
        forget_user(user_id)


def forget_deleted_token(*, instance: Any, **_: Any) -> None:
    """A token deleted (a person's data erased): its cached record goes with it."""
    forget_tokens([instance])
