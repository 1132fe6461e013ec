"""Migrations that would break the version still running while they are applied.

A deploy migrates first and then replaces the app, so for a while the old code runs on the
new schema. Dropping or renaming a column or a table breaks it at once. Such a change takes
two releases (expand, then contract): the first stops using the column or table and ships;
the second removes it, in a migration that says so with ``contract = True`` on its class.
A column added NOT NULL breaks it too, unless the database fills it: the old code's inserts
leave it out. ``unsafe_operations`` names every other migration that drops or renames, or
adds such a column to an existing table without ``db_default``; a test of the suite
(``tests/test_migration_safety.py``) fails on any, so CI refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import migrations
from django.db.models import NOT_PROVIDED

BREAKS_THE_RUNNING_VERSION = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
)

# Shipped before the rules, each in a release of its own: history, not precedent.
SHIPPED_BEFORE_THE_RULES = {
    ("access", "0004_timestamps"),
    ("access", "0005_offline_answers"),
    ("accounts", "0002_authfailure_onetimecode_apitoken_family_refreshtoken"),
    ("accounts", "0004_timestamps"),
    ("audit", "0002_timestamps"),
    ("audit", "0003_hash_chain"),
    ("billing", "0002_billingsettings_grace_days_billingsettings_late_fee_and_more"),
    ("billing", "0003_invoice_cancel_reason_invoice_cancelled_at"),
    ("billing", "0004_ledger_one_off_charges_numbering"),
    ("billing", "0005_invoice_pdf"),
    ("billing", "0006_billingrun_units"),
    ("billing", "0009_timestamps"),
    ("billing", "0010_complex_address"),
    ("billing", "0011_invoice_kinds"),
    ("community", "0002_timestamps"),
    ("community", "0003_polls_and_announcement_lifecycle"),
    ("community", "0004_announcement_blocks_and_attachments"),
    ("estate", "0005_timestamps"),
    ("estate", "0006_invitation_resend_revoke"),
    ("helpdesk", "0004_ratings"),
    ("notifications", "0002_timestamps"),
    ("notifications", "0004_inbox"),
    ("operations", "0002_task_completion"),
    ("operations", "0005_incidents"),
    ("payments", "0002_payment_receipt_pdf"),
    ("payments", "0003_online_payments"),
    ("payments", "0005_attempt_points_at_payment"),
    ("payments", "0007_timestamps"),
    ("payments", "0008_payment_attempt_last_failure"),
    ("tenancy", "0002_timestamps"),
    ("tenancy", "0004_tenant_key_scope"),
}


def unsafe_operations(found: Iterable[Any]) -> list[str]:
    """``app.migration: Operation`` for each drop or rename outside a contract step, and each
    NOT NULL column added to an existing table without a database default."""
    unsafe = []
    for migration in found:
        if getattr(migration, "contract", False):
            continue
        if (migration.app_label, migration.name) in SHIPPED_BEFORE_THE_RULES:
            continue
        created = {
            operation.name_lower
            for operation in migration.operations
            if isinstance(operation, migrations.CreateModel)
        }
        for operation in _on_the_database(migration.operations):
            named = f"{migration.app_label}.{migration.name}: {operation.describe()}"
            if isinstance(operation, BREAKS_THE_RUNNING_VERSION):
                unsafe.append(named)
            elif _old_inserts_leave_it_empty(operation, created):
                unsafe.append(f"{named} (NOT NULL: give it db_default, or null=True)")
    return unsafe


def _old_inserts_leave_it_empty(operation: Any, created: set[str]) -> bool:
    """A NOT NULL column added to a table that exists already, with nothing in the database
    to fill it (a Python ``default`` fills the rows there are, never the old code's inserts)."""
    if not isinstance(operation, migrations.AddField) or operation.model_name_lower in created:
        return False
    field = operation.field
    return not (field.null or field.many_to_many or field.db_default is not NOT_PROVIDED)


def _on_the_database(operations: Iterable[Any]) -> Iterable[Any]:
    """The operations that touch the database: a state-only move (``SeparateDatabaseAndState``
    with its tables left where they are) drops nothing."""
    for operation in operations:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            yield from _on_the_database(operation.database_operations)
        else:
            yield operation
