"""Factories of accounts: users of a complex, with their roles."""

from __future__ import annotations

from typing import Any

import factory

from klustera.accounts.models import User
from klustera.accounts.services import create_user
from klustera.roles import Role
from tests.factories import TenantModelFactory


class UserFactory(TenantModelFactory):
    """A user through ``create_user`` (E.164 phone, roles as groups); a resident by default."""

    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"0813{n:08d}")
    name = factory.Faker("name", locale="id_ID")
    password = "x-pass-123"
    roles = (Role.RESIDENT,)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> User:
        return create_user(**kwargs)
