"""No migration drops or renames a column or a table under the version still running (such a
change is the second of two releases and says so), or adds a column its inserts cannot fill
(``klustera/migration_safety.py``)."""

from __future__ import annotations

from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from klustera.migration_safety import unsafe_operations


def _ours() -> list[migrations.Migration]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        migration
        for (app, _), migration in loader.disk_migrations.items()
        if type(migration).__module__.startswith("klustera.")
    ]


def test_no_migration_breaks_the_version_still_running() -> None:
    assert unsafe_operations(_ours()) == []


def _migration(*operations: object, contract: bool = False) -> migrations.Migration:
    class Migration(migrations.Migration):
        pass

    Migration.operations = list(operations)
    if contract:
        Migration.contract = True  # type: ignore[attr-defined]
    return Migration("0099_next", "estate")


def test_a_column_dropped_or_renamed_is_refused_unless_it_is_the_contract_step() -> None:
    drop = migrations.RemoveField(model_name="unit", name="land_area")
    rename = migrations.RenameField(model_name="unit", old_name="block", new_name="cluster")
    table = migrations.DeleteModel(name="Unit")
    added = migrations.AddField(
        model_name="unit", name="note", field=models.TextField(blank=True, db_default="")
    )

    assert unsafe_operations([_migration(drop, rename, table)]) == [
        "estate.0099_next: Remove field land_area from unit",
        "estate.0099_next: Rename field block on unit to cluster",
        "estate.0099_next: Delete model Unit",
    ]
    assert unsafe_operations([_migration(drop, contract=True)]) == []
    assert unsafe_operations([_migration(added)]) == []  # adding is the expand step
    moved = migrations.SeparateDatabaseAndState(state_operations=[table], database_operations=[])
    assert unsafe_operations([_migration(moved)]) == []  # the table stays where it is
    dropped = migrations.SeparateDatabaseAndState(database_operations=[table])
    assert unsafe_operations([_migration(dropped)]) == ["estate.0099_next: Delete model Unit"]


def test_a_not_null_column_the_old_inserts_leave_out_is_refused_without_a_database_default():
    def note(**options: object) -> migrations.AddField:
        return migrations.AddField(
            model_name="unit",
            name="note",
            field=models.TextField(**options),  # type: ignore[arg-type]
        )

    assert unsafe_operations([_migration(note(default=""))]) == [
        "estate.0099_next: Add field note to unit (NOT NULL: give it db_default, or null=True)"
    ]
    assert unsafe_operations([_migration(note(db_default=""))]) == []
    assert unsafe_operations([_migration(note(null=True))]) == []
    new_table = migrations.CreateModel(
        name="Note", fields=[("id", models.BigAutoField(primary_key=True))]
    )
    on_it = migrations.AddField(model_name="note", name="text", field=models.TextField())
    assert unsafe_operations([_migration(new_table, on_it)]) == []  # no old code writes there
