"""A new complex is a copy of its cluster's migrated template: the same schema and the same
seeded rows as a database migrated from scratch, on SQLite and PostgreSQL; a changed migration
set builds a new template and drops the old one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from klustera.tenancy import connections as tenant_connections
from klustera.tenancy import services
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant

MOMENTS = {"created_at", "updated_at", "applied"}  # when a row was written, not what it says


def _contents(tenant: Tenant) -> dict[str, Any]:
    """Every table's columns, constraints and rows (without their moments)."""
    with tenant_context(tenant):
        connection = connections[tenant_connections.alias_for(tenant)]
        with connection.cursor() as cursor:
            introspection = connection.introspection
            found: dict[str, Any] = {}
            for table in sorted(introspection.table_names(cursor)):
                columns = introspection.get_table_description(cursor, table)
                kept = [c.name for c in columns if c.name not in MOMENTS]
                cursor.execute(
                    f"SELECT {', '.join(connection.ops.quote_name(c) for c in kept)} "  # noqa: S608
                    f"FROM {connection.ops.quote_name(table)} ORDER BY 1"
                )
                rows = [tuple(map(str, row)) for row in cursor.fetchall()]
                found[table] = {
                    "rows": rows,
                    "columns": [(c.name, c.type_code, c.null_ok) for c in columns],
                    "constraints": sorted(
                        (name, sorted(c["columns"] or []), bool(c["unique"]))
                        for name, c in introspection.get_constraints(cursor, table).items()
                        if not name.startswith("sqlite_autoindex")
                    ),
                }
    tenant_connections.forget(tenant_connections.alias_for(tenant))
    return found


@pytest.fixture(params=["default", "pg"])
def cluster(request, tenant_a) -> str:  # the session's clusters: their templates exist
    if request.param == "pg":
        from conftest import need

        need("postgres")
    return str(request.param)


def test_a_copy_of_the_template_equals_a_database_migrated_from_scratch(cluster) -> None:
    copied = Tenant.objects.create(name="Salinan", slug="salinan", db_cluster=cluster)
    fresh = Tenant.objects.create(name="Baru", slug="baru", db_cluster=cluster)
    for tenant in (copied, fresh):
        tenant.db_name = tenant_connections.planned_database_name(tenant)
        tenant.save(update_fields=["db_name"])
    try:
        services.create_from_template(copied)
        services.create_database(fresh)
        services.migrate_tenant(fresh)
        migrated, copy = _contents(fresh), _contents(copied)
        assert copy.keys() == migrated.keys() and len(copy) > 50
        assert copy == migrated
        assert len(copy["django_migrations"]["rows"]) > 80  # migrated, not an empty file
    finally:
        services.drop_database(copied)
        services.drop_database(fresh)


def test_new_migrations_build_a_new_template_and_drop_the_old(tenant_dir, monkeypatch) -> None:
    first = services.template_of("default")
    copied = Tenant.objects.create(name="Satu", slug="satu", db_cluster="default")
    copied.db_name = str(tenant_dir / "satu.sqlite3")
    services.create_from_template(copied)
    assert Path(first.db_name).is_file() and Path(first.db_name).parent == tenant_dir

    monkeypatch.setattr(services, "schema_fingerprint", lambda: "0123456789ab")  # a release
    second = services.template_of("default")
    later = Tenant.objects.create(name="Dua", slug="dua", db_cluster="default")
    later.db_name = str(tenant_dir / "dua.sqlite3")
    services.create_from_template(later)
    assert Path(second.db_name).name == "template_0123456789ab.sqlite3"
    assert Path(second.db_name).is_file() and not Path(first.db_name).exists()
    assert sorted(p.name for p in tenant_dir.glob("*.sqlite3*")) == [
        "dua.sqlite3", "satu.sqlite3", "template_0123456789ab.sqlite3",
    ]  # fmt: skip
