"""``klustera tenants …`` as an operator types it."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command

from klustera.tenancy.models import Tenant


def run(*args: str) -> str:
    out = StringIO()
    call_command("tenants", *args, stdout=out)
    return out.getvalue()


def test_create_then_list(tenant_dir: Path) -> None:
    out = run(
        "create",
        "--name",
        "Griya Asri",
        "--slug",
        "griya-asri",
        "--domain",
        "griya.id",
        "--manager-phone",
        "081277778888",
        "--manager-password",
        "pw-123456",
        "--time-zone",
        "Asia/Makassar",
    )
    assert "Created Griya Asri (griya-asri)" in out
    tenant = Tenant.objects.get(slug="griya-asri")
    assert tenant.time_zone == "Asia/Makassar"
    listing = run("list")
    assert "griya-asri" in listing and "active" in listing and "griya.id" in listing


def test_create_with_a_bad_slug_exits_with_a_message(tenant_dir: Path) -> None:
    with pytest.raises(CommandError, match="dicadangkan"):
        run(
            "create",
            "--name",
            "X",
            "--slug",
            "admin",
            "--manager-phone",
            "081277778888",
            "--manager-password",
            "pw",
        )


def test_a_complexs_first_manager_needs_a_real_password(tenant_dir: Path) -> None:
    with pytest.raises(CommandError, match="password"):
        run(
            "create", "--name", "Griya", "--slug", "griya-lemah",
            "--manager-phone", "081277778888", "--manager-password", "1",
        )  # fmt: skip
    assert not Tenant.objects.filter(slug="griya-lemah").exists()
    assert list(tenant_dir.iterdir()) == []


def test_suspend_resume_and_unknown_slug(tenant_a) -> None:
    assert "suspended" in run("suspend", tenant_a.slug)
    assert Tenant.objects.get(pk=tenant_a.pk).status == "suspended"
    assert "active again" in run("resume", tenant_a.slug)
    with pytest.raises(CommandError, match="not suspended"):
        run("resume", tenant_a.slug)
    with pytest.raises(CommandError, match="No tenant 'nobody'"):
        run("suspend", "nobody")


def test_migrate_reports_every_tenant(tenant_a, tenant_b) -> None:
    out = run("migrate")
    assert "platform: ok" in out
    assert f"{tenant_a.slug}: ok" in out and f"{tenant_b.slug}: ok" in out
    assert run("migrate", "--tenant", tenant_b.slug).strip() == f"{tenant_b.slug}: ok"


def test_migrate_reports_a_tenant_whose_database_is_gone(tmp_path: Path, tenant_a) -> None:
    Tenant.objects.create(
        name="Gone", slug="gone", status="active", db_name=str(tmp_path / "missing.sqlite3")
    )
    with pytest.raises(CommandError, match="1 tenant"):
        run("migrate", "--tenant", "gone")


@pytest.mark.services
def test_the_whole_cli_on_postgresql(tmp_path: Path) -> None:
    """Platform and tenants on the real PostgreSQL server, through the installed command."""
    from conftest import PG_TEST_PREFIX, POSTGRES_SERVER, need

    need("postgres")
    platform_db = f"{PG_TEST_PREFIX}cli_platform"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{platform_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{platform_db}"')
    env = {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES_SERVER}/{platform_db}",
        "TENANT_DATABASE_URL": f"{POSTGRES_SERVER}/{PG_TEST_PREFIX}cli_{{id}}",
        "KLUSTERA_VAR_DIR": str(tmp_path),
    }

    def klustera(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "klustera", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        assert klustera("tenants", "migrate").returncode == 0
        created = klustera(
            "tenants",
            "create",
            "--name",
            "Bukit Hijau",
            "--slug",
            "bukit-hijau",
            "--manager-phone",
            "081299990000",
            "--manager-password",
            "pw-123456",
        )
        assert created.returncode == 0, created.stderr
        listing = klustera("tenants", "list").stdout
        assert "bukit-hijau" in listing and f"{PG_TEST_PREFIX}cli_" in listing
        again = klustera(
            "tenants",
            "create",
            "--name",
            "Dup",
            "--slug",
            "bukit-hijau",
            "--manager-phone",
            "081299990000",
            "--manager-password",
            "pw",
        )
        assert again.returncode != 0
        assert "slug" in again.stderr and "Traceback" not in again.stderr
        second = klustera(
            "tenants", "create", "--name", "Bukit Biru", "--slug", "bukit-biru",
            "--manager-phone", "081299990001", "--manager-password", "pw-123456",
        )  # fmt: skip
        assert second.returncode == 0, second.stderr
        migrated = klustera("tenants", "migrate", "--parallel", "2")
        assert migrated.returncode == 0, migrated.stderr
        assert "bukit-hijau: ok" in migrated.stdout and "bukit-biru: ok" in migrated.stdout
    finally:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
            for (name,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [f"{PG_TEST_PREFIX}cli_%"],
            ).fetchall():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
