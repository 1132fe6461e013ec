"""Use cases of the platform: provisioning tenants, suspending, resuming and migrating them."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
from django import db
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import errors, sql

from klustera.tenancy import connections
from klustera.tenancy.context import tenant_context
from klustera.tenancy.databases import config_from_url, is_sqlite
from klustera.tenancy.errors import ProvisioningError
from klustera.tenancy.models import Domain, Tenant, validate_slug
from klustera.tenancy.resolution import forget_resolutions
from klustera.tenancy.signals import tenant_provisioned, tenant_status_changed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewManager:
    phone: str
    name: str
    password: str | None = None


def provision_tenant(
    *,
    name: str,
    slug: str,
    manager: NewManager,
    domain: str | None = None,
    plan: str = Tenant.Plan.FREE,
    time_zone: str = Tenant.TimeZone.WIB,
    locale: str = Tenant.Locale.INDONESIAN,
    cluster: str = "default",
    max_units: int = 50,
) -> Tenant:
    """Create a tenant: its platform row, its database, its schema and its first manager.

    Either all of it exists afterwards or none of it does: on any failure the
    database is dropped and the row deleted before ``ProvisioningError`` is raised.
    """
    slug = (slug or "").strip()
    tenant = Tenant(
        name=name.strip(),
        slug=slug,
        plan=plan,
        time_zone=time_zone,
        locale=locale,
        db_cluster=cluster,
        max_units=max_units,
    )
    try:
        validate_slug(slug)
        tenant.full_clean(exclude=["db_name"])
        if domain:
            _validate_new_domain(domain)
        if manager.password is not None:
            try:
                validate_password(manager.password)
            except ValidationError as exc:
                raise ValidationError({"manager password": exc.messages}) from exc
        connections.cluster_url(cluster)
    except ValidationError as exc:
        raise ProvisioningError(_validation_message(exc)) from exc
    except Exception as exc:
        raise ProvisioningError(str(exc)) from exc

    with transaction.atomic(using="default"):
        tenant.save()
        tenant.db_name = connections.planned_database_name(tenant)
        tenant.save(update_fields=["db_name"])
        if domain:
            Domain.objects.create(host=domain.strip().lower(), tenant=tenant, is_primary=True)

    created_database = False
    try:
        create_from_template(tenant)  # migrated already: a copy of the current schema
        created_database = True
        with tenant_context(tenant):
            tenant_provisioned.send(sender=Tenant, tenant=tenant, manager=manager)
        tenant.status = Tenant.Status.ACTIVE
        tenant.save(update_fields=["status", "updated_at"])
    except Exception as exc:
        logger.exception("Provisioning of tenant %s failed; rolling back", slug)
        connections.forget(connections.alias_for(tenant))
        if created_database:
            drop_database(tenant)
        tenant.delete()
        raise ProvisioningError(f"Provisioning of '{slug}' failed: {exc}") from exc
    return tenant


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _validate_new_domain(host: str) -> None:
    host = host.strip().lower()
    if not host or "/" in host or " " in host:
        raise ValidationError(f"'{host}' is not a host name.")
    if Domain.objects.filter(host=host).exists():
        raise ValidationError(f"The domain '{host}' already belongs to a tenant.")


def server_config(tenant: Tenant) -> dict[str, Any]:
    """The tenant's database server itself, never a pool in front of it: for creating,
    renaming, dropping, dumping and restoring databases."""
    url = connections.cluster_url(tenant.db_cluster).format(id=tenant.pk, slug=tenant.slug)
    return config_from_url(url, direct=True)


def admin_connection(config: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
        connect_timeout=10,
    )


def create_database(tenant: Tenant) -> None:
    """Create the tenant's empty database; refuses to reuse one that already exists."""
    config = server_config(tenant)
    if is_sqlite(config):
        path = Path(tenant.db_name)
        if path.exists():
            raise ProvisioningError(f"The database file {path} already exists.")
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()
        return
    with admin_connection(config) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [tenant.db_name]
        ).fetchone()
        if exists:
            raise ProvisioningError(f"The database {tenant.db_name} already exists.")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(tenant.db_name)))


def drop_database(tenant: Tenant) -> None:
    """Remove the tenant's database (provisioning rollback and test clean-up)."""
    config = server_config(tenant)
    if is_sqlite(config):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(tenant.db_name + suffix).unlink(missing_ok=True)
        return
    with admin_connection(config) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(tenant.db_name)
            )
        )


# --- the template new complexes are copied from -----------------------------------------
#
# A cluster's template is named like a complex's database with ``template_<fingerprint>`` in
# place of the complex (``…/template_1a2b3c4d5e6f.sqlite3``, ``klustera_template_1a2b…``); the
# fingerprint hashes every migration file, so a release that adds or changes one builds a new
# template on its first provisioning, and the older ones are dropped. A copy is a file copy on
# SQLite and ``CREATE DATABASE … TEMPLATE`` on PostgreSQL: no migration runs for a new complex.

TEMPLATE = "template_"


@cache
def _disk_migrations() -> dict[tuple[str, str], Any]:
    """Every migration of the code (fixed while the process runs)."""
    return dict(MigrationLoader(None).disk_migrations)


@cache
def schema_fingerprint() -> str:
    """A hash of every migration file's name and bytes."""
    digest = hashlib.sha256()
    for (app, name), migration in sorted(_disk_migrations().items()):
        digest.update(f"{app}.{name}\n".encode())
        digest.update(Path(str(sys.modules[type(migration).__module__].__file__)).read_bytes())
    return digest.hexdigest()[:12]


def template_of(cluster: str) -> Tenant:
    """The cluster's current template, as an unsaved complex (its database may not exist)."""
    label = f"{TEMPLATE}{schema_fingerprint()}"
    template = Tenant(name="template", slug=label.replace("_", "-"), db_cluster=cluster)
    config = config_from_url(connections.cluster_url(cluster).format(id=label, slug=label))
    name = str(config["NAME"])
    template.db_name = str(Path(name).resolve()) if is_sqlite(config) else name
    return template


def create_from_template(tenant: Tenant) -> None:
    """Create the tenant's database as a copy of its cluster's current template (built first
    when there is none); refuses to reuse a database that exists."""
    template = template_of(tenant.db_cluster)
    config = server_config(tenant)
    if is_sqlite(config):
        if not Path(template.db_name).exists():
            _build_template(template)
        path = Path(tenant.db_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as target, Path(template.db_name).open("rb") as source:
                shutil.copyfileobj(source, target, 1 << 20)
        except FileExistsError:
            raise ProvisioningError(f"The database file {path} already exists.") from None
        return
    copy = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(tenant.db_name), sql.Identifier(template.db_name)
    )
    with admin_connection(config) as conn:
        try:
            conn.execute(copy)
        except errors.InvalidCatalogName:  # no template yet
            _build_template(template)
            conn.execute(copy)
        except errors.DuplicateDatabase:
            raise ProvisioningError(f"The database {tenant.db_name} already exists.") from None


def _build_template(template: Tenant) -> None:
    """Migrate a new database under a name of its own, then give it the template's name (one
    that another process gave it meanwhile stays); drop the cluster's older templates."""
    final = template.db_name
    building = Tenant(
        name="template",
        slug=f"{template.slug}-{secrets.token_hex(3)}",
        db_cluster=template.db_cluster,
    )
    building.db_name = (
        f"{final}.{building.slug}"
        if final.endswith(".sqlite3")
        else f"{final}_{building.slug[-6:]}"
    )
    create_database(building)
    try:
        migrate_tenant(building)
        connections.forget(connections.alias_for(building))
        config = server_config(building)
        if is_sqlite(config):
            with contextlib.closing(sqlite3.connect(building.db_name)) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
            os.replace(building.db_name, final)
            for older in Path(final).parent.glob(f"*{TEMPLATE}*.sqlite3"):
                if str(older.resolve()) != final:
                    older.unlink(missing_ok=True)
            return
        with admin_connection(config) as conn:
            # A pool in front of the server keeps the connections the migrations used.
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [building.db_name],
            )
            with contextlib.suppress(errors.DuplicateDatabase):  # another process built it
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(building.db_name), sql.Identifier(final)
                    )
                )
            prefix = final[: -len(schema_fingerprint())]
            older_template = re.compile(re.escape(prefix) + "[0-9a-f]{12}")  # not one building
            for (older,) in conn.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
                [prefix, final],
            ).fetchall():
                if not older_template.fullmatch(older):
                    continue
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(older))
                )
    finally:
        connections.forget(connections.alias_for(building))
        drop_database(building)  # gone already when it became the template


def migrate_tenant(tenant: Tenant, *, stdout: Any = None) -> None:
    """Bring the tenant's database to the current schema (a database that has every migration
    of the code already is left alone without building the migration graph)."""
    alias = connections.register(tenant)
    with tenant_context(tenant):
        applied = MigrationRecorder(db.connections[alias]).applied_migrations()
        if set(_disk_migrations()) <= set(applied):
            return
        call_command(
            "migrate", database=alias, interactive=False, verbosity=0, stdout=stdout or StringIO()
        )


def migrate_all(
    *,
    tenants: Iterable[Tenant] | None = None,
    report: Callable[[Tenant, str], None],
    parallel: int = 1,
) -> list[Tenant]:
    """Migrate each tenant and report each, in ``parallel`` processes; the tenants that
    failed."""
    chosen = list(
        tenants
        if tenants is not None
        else Tenant.objects.exclude(
            status__in=[Tenant.Status.PROVISIONING, Tenant.Status.CANCELLED]
        )
    )
    if parallel > 1 and len(chosen) > 1:
        db.connections.close_all()  # each process opens its own; none inherits a socket
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(parallel, mp_context=context) as pool:
            outcomes = list(pool.map(_migrate_one, chosen, chunksize=8))
    else:
        outcomes = [_migrate_one(tenant) for tenant in chosen]
    failed = []
    for tenant, error in zip(chosen, outcomes, strict=True):
        if error is None:
            report(tenant, "ok")
        else:
            failed.append(tenant)
            report(tenant, f"FAILED: {error}")
    return failed


def _migrate_one(tenant: Tenant) -> str | None:
    """Its error, or None: a task of the pool reads nothing from the platform database."""
    try:
        migrate_tenant(tenant)
    except Exception as exc:
        return str(exc)
    return None


def _announce_status(tenant: Tenant, action: str) -> None:
    """Inside the complex, so that its own audit trail records the platform's action."""
    with tenant_context(tenant):
        tenant_status_changed.send(
            sender=Tenant, tenant=tenant, action=action, previous_status=tenant.status
        )


def suspend_tenant(*, tenant: Tenant) -> Tenant:
    """Stop serving the tenant's data; nothing is deleted."""
    _announce_status(tenant, "tenant.suspended")
    tenant.status = Tenant.Status.SUSPENDED
    tenant.save(update_fields=["status", "updated_at"])
    forget_resolutions()
    return tenant


def resume_tenant(*, tenant: Tenant) -> Tenant:
    """Serve a suspended tenant again."""
    if tenant.status != Tenant.Status.SUSPENDED:
        raise ProvisioningError(f"'{tenant.slug}' is {tenant.status}, not suspended.")
    _announce_status(tenant, "tenant.resumed")
    tenant.status = Tenant.Status.ACTIVE
    tenant.save(update_fields=["status", "updated_at"])
    forget_resolutions()
    return tenant


def cancel_tenant(*, tenant: Tenant) -> Tenant:
    """End a complex's service: its plan ends, nobody is served and no work runs for it.

    Its database is kept, untouched, until an operator drops it by hand."""
    if tenant.status not in (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED):
        raise ProvisioningError(f"'{tenant.slug}' is {tenant.status}; only a served complex ends.")
    _announce_status(tenant, "tenant.cancelled")
    tenant.status = Tenant.Status.CANCELLED
    tenant.cancelled_at = timezone.now()
    tenant.save(update_fields=["status", "cancelled_at", "updated_at"])
    forget_resolutions()
    return tenant


def set_time_zone(*, tenant: Tenant, time_zone: str) -> Tenant:
    """The complex's own time zone: its due dates, quiet hours and day boundaries follow it."""
    if time_zone not in Tenant.TimeZone.values:
        raise ValidationError({"time_zone": [_("Choose one of Indonesia's time zones.")]})
    tenant.time_zone = time_zone
    tenant.save(update_fields=["time_zone", "updated_at"])
    forget_resolutions()
    return tenant
