"""Testing a data migration: a new complex migrated back to before it, then forward again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps as current_apps
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from klustera.tenancy.services import NewManager, provision_tenant

Target = tuple[str, str]  # ("estate", "0004_resident_unique_phone")


class OldComplex:
    """A complex whose database stands at some earlier migrations; ``apps`` are its models then."""

    def __init__(self, alias: str, targets: tuple[Target, ...]) -> None:
        self.alias = alias
        self.apps = self._migrate(targets)

    def forward(self, *targets: Target) -> Any:
        """Migrate on to ``targets`` (or to the end) and give the models as they are there."""
        if not targets:
            call_command("migrate", database=self.alias, verbosity=0)
            return current_apps
        return self._migrate(targets)

    def _migrate(self, targets: tuple[Target, ...]) -> Any:
        for app, name in targets:
            call_command("migrate", app, name, database=self.alias, verbosity=0)
        return MigrationExecutor(connections[self.alias]).loader.project_state(targets).apps


@contextmanager
def complex_before(*targets: Target) -> Iterator[OldComplex]:
    """A new SQLite complex, inside its context, migrated back to ``targets``.

    Needs ``settings.TENANT_DATABASE_CLUSTERS["default"]`` on a scratch directory
    (the ``old_complex`` fixture does that).
    """
    tenant = provision_tenant(
        name="Lama",
        slug="lama",
        manager=NewManager(phone="081200000001", name="Pengelola", password="pw-x-123456"),
    )
    with tenant_context(tenant):
        yield OldComplex(alias_for(tenant), targets)
