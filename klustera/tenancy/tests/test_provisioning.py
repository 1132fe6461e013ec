"""Provisioning a complex: all of it, or nothing of it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from klustera.accounts.models import User
from klustera.estate.models import Unit
from klustera.roles import is_manager
from klustera.tenancy import services
from klustera.tenancy.context import tenant_context
from klustera.tenancy.errors import ProvisioningError
from klustera.tenancy.models import Domain, Tenant
from klustera.tenancy.services import NewManager, provision_tenant
from klustera.tenancy.signals import tenant_provisioned

MANAGER = NewManager(phone="0812-3456-7890", name="Ibu Pengelola", password="s3cret-pass")


def test_a_new_complex_gets_its_own_migrated_database_and_manager(tenant_dir: Path) -> None:
    tenant = provision_tenant(
        name="Cluster Melati", slug="melati", manager=MANAGER, domain="Melati.Example.ID"
    )
    assert tenant.status == Tenant.Status.ACTIVE
    assert Path(tenant.db_name) == tenant_dir / "melati.sqlite3"
    assert Domain.objects.get(tenant=tenant).host == "melati.example.id"
    with tenant_context(tenant):
        manager = User.objects.get()
        assert manager.phone == "+6281234567890"
        assert manager.check_password("s3cret-pass")
        assert is_manager(manager)
        assert Unit.objects.count() == 0


@pytest.mark.parametrize(
    "slug,reason",
    [
        ("ab", "Gunakan 3–63"),
        ("Graha", "Gunakan 3–63"),
        ("graha_indah", "Gunakan 3–63"),
        ("-graha", "Gunakan 3–63"),
        ("graha-", "Gunakan 3–63"),
        ("graha--indah", "Gunakan 3–63"),
        ("x" * 64, "Gunakan 3–63"),
        ("admin", "dicadangkan"),
        ("api", "dicadangkan"),
        ("www", "dicadangkan"),
        ("static", "dicadangkan"),
    ],
)
def test_bad_slugs_are_refused_with_a_clear_error(tenant_dir: Path, slug: str, reason: str) -> None:
    with pytest.raises(ProvisioningError, match=reason):
        provision_tenant(name="X", slug=slug, manager=MANAGER)
    assert not Tenant.objects.filter(slug=slug.lower()).exists()
    assert list(tenant_dir.iterdir()) == []


def test_a_taken_slug_is_refused(tenant_dir: Path, tenant_a) -> None:
    with pytest.raises(ProvisioningError, match="slug"):
        provision_tenant(name="Again", slug=tenant_a.slug, manager=MANAGER)


def test_a_taken_domain_is_refused(tenant_dir: Path, tenant_a) -> None:
    Domain.objects.create(host="taken.example.id", tenant=tenant_a)
    with pytest.raises(ProvisioningError, match="already belongs"):
        provision_tenant(name="New", slug="new-one", manager=MANAGER, domain="taken.example.id")
    assert not Tenant.objects.filter(slug="new-one").exists()


def test_an_unknown_cluster_is_refused(tenant_dir: Path) -> None:
    with pytest.raises(ProvisioningError, match="not configured"):
        provision_tenant(name="New", slug="new-one", manager=MANAGER, cluster="mars")


def test_an_invalid_manager_phone_leaves_nothing_behind(tenant_dir: Path) -> None:
    with pytest.raises(ProvisioningError):
        provision_tenant(
            name="Kenanga",
            slug="kenanga",
            manager=NewManager(phone="12345", name="X", password="x"),
        )
    assert not Tenant.objects.filter(slug="kenanga").exists()
    assert not (tenant_dir / "kenanga.sqlite3").exists()


def test_a_migration_failing_halfway_leaves_nothing_behind(tenant_dir: Path, monkeypatch) -> None:
    real_migrate = services.migrate_tenant

    def migrate_then_fail(tenant: Tenant, **kwargs: object) -> None:
        real_migrate(tenant)  # the schema is half-way there: tables exist
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "migrate_tenant", migrate_then_fail)
    with pytest.raises(ProvisioningError, match="disk full"):
        provision_tenant(name="Anggrek", slug="anggrek", manager=MANAGER, domain="anggrek.id")
    assert not Tenant.objects.filter(slug="anggrek").exists()
    assert not Domain.objects.filter(host="anggrek.id").exists()
    assert list(tenant_dir.iterdir()) == []


def test_an_existing_database_file_is_never_reused(tenant_dir: Path) -> None:
    (tenant_dir / "mawar.sqlite3").write_bytes(b"someone's data")
    with pytest.raises(ProvisioningError, match="already exists"):
        provision_tenant(name="Mawar", slug="mawar", manager=MANAGER)
    assert (tenant_dir / "mawar.sqlite3").read_bytes() == b"someone's data"
    assert not Tenant.objects.filter(slug="mawar").exists()


def _pg_database_exists(name: str) -> bool:
    from conftest import POSTGRES_SERVER

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres") as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone()
            is not None
        )


def test_postgres_provisioning_creates_a_database_per_tenant(tenant_a) -> None:
    from conftest import need

    need("postgres")
    tenant = provision_tenant(name="Cempaka", slug="cempaka", manager=MANAGER, cluster="pg")
    try:
        from conftest import PG_TEST_PREFIX

        assert tenant.db_name == f"{PG_TEST_PREFIX}{tenant.pk}"
        assert _pg_database_exists(tenant.db_name)
        with tenant_context(tenant):
            assert User.objects.get().name == "Ibu Pengelola"
    finally:
        services.drop_database(tenant)


def test_postgres_failure_halfway_drops_the_database(tenant_a, monkeypatch) -> None:
    from conftest import need

    need("postgres")
    created: list[str] = []
    real_create = services.create_from_template

    def create_and_remember(tenant: Tenant) -> None:
        real_create(tenant)
        created.append(tenant.db_name)

    def fail(**kwargs: object) -> None:
        raise RuntimeError("the first manager could not be made")

    monkeypatch.setattr(services, "create_from_template", create_and_remember)
    tenant_provisioned.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(ProvisioningError, match="first manager"):
            provision_tenant(name="Dahlia", slug="dahlia", manager=MANAGER, cluster="pg")
    finally:
        tenant_provisioned.disconnect(dispatch_uid="test-fail")
    assert created and not _pg_database_exists(created[0])
    assert not Tenant.objects.filter(slug="dahlia").exists()


def test_suspend_and_resume(tenant_a) -> None:
    services.suspend_tenant(tenant=tenant_a)
    assert Tenant.objects.get(pk=tenant_a.pk).status == Tenant.Status.SUSPENDED
    services.resume_tenant(tenant=tenant_a)
    assert Tenant.objects.get(pk=tenant_a.pk).status == Tenant.Status.ACTIVE
    with pytest.raises(ProvisioningError, match="not suspended"):
        services.resume_tenant(tenant=tenant_a)
