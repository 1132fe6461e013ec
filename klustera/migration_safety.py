"""Migrations that would break the version still running while they are applied.

A deploy migrates first and then replaces the app, so for a while the old code runs on the
new schema. Dropping or renaming a column or a table breaks it at once. Such a change takes
two releases (expand, then contract): the first stops using the column or table and ships;
the second removes it, in a migration that says so with ``contract = True`` on its class.
``unsafe_operations`` names every other migration that drops or renames; a test of the
suite (``tests/test_migration_safety.py``) fails on any, so CI refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import migrations

BREAKS_THE_RUNNING_VERSION = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
)

# Shipped before the rule, each in a release of its own: history, not precedent.
SHIPPED_BEFORE_THE_RULE = {
    ("billing", "0004_ledger_one_off_charges_numbering"),
    ("community", "0004_announcement_blocks_and_attachments"),
    ("payments", "0005_attempt_points_at_payment"),
}


def unsafe_operations(found: Iterable[Any]) -> list[str]:
    """``app.migration: Operation`` for each drop or rename outside a contract step."""
    unsafe = []
    for migration in found:
        if getattr(migration, "contract", False):
            continue
        if (migration.app_label, migration.name) in SHIPPED_BEFORE_THE_RULE:
            continue
        for operation in _on_the_database(migration.operations):
            if isinstance(operation, BREAKS_THE_RUNNING_VERSION):
                unsafe.append(f"{migration.app_label}.{migration.name}: {operation.describe()}")
    return unsafe


def _on_the_database(operations: Iterable[Any]) -> Iterable[Any]:
    """The operations that touch the database: a state-only move (``SeparateDatabaseAndState``
    with its tables left where they are) drops nothing."""
    for operation in operations:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            yield from _on_the_database(operation.database_operations)
        else:
            yield operation
