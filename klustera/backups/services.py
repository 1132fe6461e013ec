"""Taking a complex's (or the platform's) backup, encrypted with age, and restoring one.

A backup is two files in the target under ``<slug>/<id>/``: ``database.age`` — the database
(SQLite's online backup, or ``pg_dump -Fc``), encrypted to the recipients of
``BACKUP_AGE_RECIPIENTS`` before it leaves this machine — and ``manifest.json``, written last:
the complex, the engine, the migrations applied, every table's row count, the ledger's totals,
the artefact's SHA-256 and the tools' versions. A restore checks all of these.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
import pyrage
import structlog
from django.conf import settings
from django.db import connections
from django.db.models import Sum
from psycopg import sql

from klustera.backups.retention import backups_to_keep
from klustera.backups.targets import backup_target
from klustera.billing.models import Invoice, Payment, Refund
from klustera.tenancy import connections as tenant_connections
from klustera.tenancy.context import tenant_context
from klustera.tenancy.databases import is_sqlite
from klustera.tenancy.models import Tenant
from klustera.tenancy.services import (
    admin_connection,
    drop_database,
    migrate_tenant,
    server_config,
)

logger = structlog.get_logger(__name__)
PLATFORM = "_platform"  # the platform database's folder in the target
FORMAT = 1
DUMP_TIMEOUT = 3600


class BackupFailed(Exception):
    pass


class RestoreRefused(Exception):
    """The backup cannot be restored as asked; nothing was changed."""


# --- taking one ---------------------------------------------------------------------------


def recipients() -> list[Any]:
    keys = [k.strip() for k in settings.BACKUP_AGE_RECIPIENTS if k.strip()]
    if not keys:
        raise BackupFailed(
            "BACKUP_AGE_RECIPIENTS is empty: give the age public key(s) backups are encrypted "
            "to (`klustera backup keygen` makes a pair; keep the secret key offline)."
        )
    try:
        return [pyrage.x25519.Recipient.from_str(key) for key in keys]
    except pyrage.RecipientError as exc:
        raise BackupFailed(f"BACKUP_AGE_RECIPIENTS holds a key age does not accept: {exc}") from exc


def take_backup(tenant: Tenant | None) -> dict[str, Any]:
    """Back up ``tenant``'s database (None: the platform's); its manifest."""
    to = recipients()
    slug = tenant.slug if tenant else PLATFORM
    backup_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_target()
    with tempfile.TemporaryDirectory(prefix="klustera-backup-") as scratch:
        raw, sealed = Path(scratch) / "database", Path(scratch) / "database.age"
        with _selected(tenant) as alias:
            engine = _dump(alias, raw)
            facts = facts_of(alias, ledger=tenant is not None)
        pyrage.encrypt_file(str(raw), str(sealed), to)
        manifest = {
            "format": FORMAT,
            "id": backup_id,
            "complex": slug,
            "name": tenant.name if tenant else "platform",
            "cluster": tenant.db_cluster if tenant else "",
            "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine,
            **facts,
            "size": sealed.stat().st_size,
            "sha256": _sha256(sealed),
            "tools": _tools(engine),
        }
        target.put(f"{slug}/{backup_id}/database.age", sealed)
        target.put_bytes(
            f"{slug}/{backup_id}/manifest.json", json.dumps(manifest, indent=1).encode()
        )
    logger.info("backup.taken", complex=slug, backup=backup_id, size=manifest["size"])
    return manifest


@contextlib.contextmanager
def _selected(tenant: Tenant | None) -> Iterator[str]:
    if tenant is None:
        yield "default"
        return
    with tenant_context(tenant):
        yield tenant_connections.alias_for(tenant)


def _dump(alias: str, destination: Path) -> str:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(destination)
        try:
            connection.connection.backup(copy)  # a consistent copy while others write
        finally:
            copy.close()
        return "sqlite"
    config = connection.settings_dict
    _pg_tool("pg_dump", "-Fc", "--no-owner", "--no-acl", "-f", str(destination), config=config)
    return "postgresql"


def _pg_tool(program: str, *args: str, config: dict[str, Any], database: str = "") -> None:
    env = {**os.environ, "PGPASSWORD": str(config.get("PASSWORD") or "")}
    command = [
        _program(program),
        "-h",
        str(config.get("HOST") or "localhost"),
        "-p",
        str(config.get("PORT") or 5432),
    ]
    if config.get("USER"):
        command += ["-U", str(config["USER"])]
    command += [
        *args,
        "-d" if program == "pg_restore" else "--dbname",
        database or str(config["NAME"]),
    ]
    # the program's full path, and arguments from the settings, never from a request
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT)  # noqa: S603
    if done.returncode != 0:
        raise BackupFailed(f"{program} failed: {done.stderr.strip()[-500:]}")


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupFailed(f"{name} is not installed (apt-get install postgresql-client).")
    return path


def facts_of(alias: str, *, ledger: bool) -> dict[str, Any]:
    """What a restore must find again: migrations, each table's rows, the ledger's totals."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
        rows = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(sql_count(connection, table))
            rows[table] = cursor.fetchone()[0]
    facts: dict[str, Any] = {"migrations": migrations, "rows": rows}
    if ledger:
        facts["ledger"] = ledger_totals()
    return facts


def sql_count(connection: Any, table: str) -> str:
    return f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608  (a table name)


def ledger_totals() -> dict[str, str]:
    """The complex's books in four sums (the complex selected)."""

    def total(queryset: Any, field: str) -> str:
        return str(queryset.aggregate(s=Sum(field))["s"] or Decimal(0))

    live = Invoice.objects.exclude(status=Invoice.Status.CANCELLED)
    return {
        "invoiced": total(live, "total"),
        "invoices_paid": total(live, "amount_paid"),
        "payments": total(Payment.objects.all(), "amount"),
        "refunds": total(Refund.objects.all(), "amount"),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tools(engine: str) -> dict[str, str]:
    tools = {
        "klustera": "0.1.0",
        "django": django.get_version(),
        "python": platform.python_version(),
    }
    if engine == "sqlite":
        tools["sqlite"] = sqlite3.sqlite_version
    else:
        tools["pg_dump"] = subprocess.run(  # noqa: S603
            [_program("pg_dump"), "--version"], capture_output=True, text=True
        ).stdout.strip()
    return tools


# --- what is there ------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    complex: str
    id: str
    manifest: dict[str, Any]


def stored_backups(slug: str | None = None) -> list[Stored]:
    """The complete backups in the target (those with a manifest), newest first."""
    target = backup_target()
    found = []
    for complex_slug in [slug] if slug else target.folders():
        for backup_id in target.folders(complex_slug):
            key = f"{complex_slug}/{backup_id}/manifest.json"
            if target.exists(key):
                found.append(Stored(complex_slug, backup_id, json.loads(target.read_bytes(key))))
    return sorted(found, key=lambda s: s.id, reverse=True)


# --- restoring one ------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    tenant: Tenant
    manifest: dict[str, Any]
    migrated: list[str]  # migrations applied after the backup's


def restore_backup(*, slug: str, backup_id: str, identity: str, into: str) -> Restored:
    """Restore a backup into a new, suspended complex ``into`` for inspection: its artefact
    checked against the manifest, decrypted, migrated forward if older, and its rows and
    ledger compared with the manifest. Refused with nothing changed when anything is off."""
    target = backup_target()
    key = f"{slug}/{backup_id}"
    if slug == PLATFORM or not target.exists(f"{key}/manifest.json"):
        raise RestoreRefused(f"No complete backup {backup_id} of {slug!r} in the target.")
    if Tenant.objects.filter(slug=into).exists():
        raise RestoreRefused(f"A complex {into!r} exists already: restore into a new address.")
    manifest = json.loads(target.read_bytes(f"{key}/manifest.json"))
    try:
        secret = pyrage.x25519.Identity.from_str(identity.strip())
    except pyrage.IdentityError as exc:
        raise RestoreRefused("That is not an age secret key (AGE-SECRET-KEY-1…).") from exc
    with tempfile.TemporaryDirectory(prefix="klustera-restore-") as scratch:
        sealed, raw = Path(scratch) / "database.age", Path(scratch) / "database"
        target.get(f"{key}/database.age", sealed)
        if _sha256(sealed) != manifest["sha256"]:
            raise RestoreRefused("The backup's checksum differs from its manifest: it is damaged.")
        try:
            pyrage.decrypt_file(str(sealed), str(raw), [secret])
        except pyrage.DecryptError as exc:
            raise RestoreRefused("The backup cannot be decrypted with this key.") from exc
        tenant = _new_tenant(manifest, into)
        try:
            _load(tenant, manifest["engine"], raw)
            with tenant_context(tenant):
                migrate_tenant(tenant)
                _check(tenant, manifest)
        except Exception:
            _drop(tenant)
            raise
    tenant.status = Tenant.Status.SUSPENDED  # nobody served, no reminder sent, until resumed
    tenant.save(update_fields=["status", "updated_at"])
    with tenant_context(tenant):
        after = facts_of(tenant_connections.alias_for(tenant), ledger=False)["migrations"]
    logger.info("backup.restored", complex=slug, backup=backup_id, into=into)
    return Restored(tenant, manifest, sorted(set(after) - set(manifest["migrations"])))


def _new_tenant(manifest: dict[str, Any], into: str) -> Tenant:
    cluster = (
        manifest["cluster"]
        if manifest["cluster"] in settings.TENANT_DATABASE_CLUSTERS
        else "default"
    )
    tenant = Tenant(
        name=f"{manifest['name']} ({manifest['id'][:8]})", slug=into, db_cluster=cluster
    )
    tenant.full_clean(exclude=["db_name"])
    config_engine = "sqlite" if is_sqlite(server_config(tenant)) else "postgresql"
    if config_engine != manifest["engine"]:
        raise RestoreRefused(
            f"A {manifest['engine']} backup cannot go onto a {config_engine} cluster."
        )
    tenant.save()
    tenant.db_name = tenant_connections.planned_database_name(tenant)
    tenant.save(update_fields=["db_name"])
    return tenant


def _load(tenant: Tenant, engine: str, raw: Path) -> None:
    if engine == "sqlite":
        path = Path(tenant.db_name)
        if path.exists():
            raise RestoreRefused(f"The database file {path} exists already.")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(raw, path)
        return
    config = server_config(tenant)
    with admin_connection(config) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(tenant.db_name)))
    _pg_tool(
        "pg_restore",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        str(raw),
        config=config,
        database=tenant.db_name,
    )


def _check(tenant: Tenant, manifest: dict[str, Any]) -> None:
    alias = tenant_connections.alias_for(tenant)
    now = facts_of(alias, ledger=True)
    missing = set(manifest["migrations"]) - set(now["migrations"])
    if missing:
        raise RestoreRefused(f"The backup holds migrations this code lacks: {sorted(missing)[:3]}")
    differing = {
        t: (n, now["rows"].get(t))
        for t, n in manifest["rows"].items()
        if now["rows"].get(t) != n and t != "django_migrations"
    }
    if differing:
        raise RestoreRefused(f"Row counts differ from the manifest: {differing}")
    if now["ledger"] != manifest["ledger"]:
        raise RestoreRefused(
            f"The ledger differs from the manifest: {now['ledger']} ≠ {manifest['ledger']}"
        )


def _drop(tenant: Tenant) -> None:
    tenant_connections.forget(tenant_connections.alias_for(tenant))
    drop_database(tenant)
    tenant.delete()


# --- retention ----------------------------------------------------------------------------


def taken_at(backup_id: str) -> datetime:
    return datetime.strptime(backup_id, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def prune_backups(slug: str) -> list[str]:
    """Drop the complex's backups that grandfather-father-son does not keep; the newest
    complete one is always kept. Folders without a manifest (an interrupted backup) go too."""
    target = backup_target()
    complete = {s.id for s in stored_backups(slug)}
    keep = backups_to_keep(
        [taken_at(backup_id) for backup_id in complete],
        daily=settings.BACKUP_KEEP_DAILY,
        weekly=settings.BACKUP_KEEP_WEEKLY,
        monthly=settings.BACKUP_KEEP_MONTHLY,
    )
    dropped = [b for b in target.folders(slug) if b not in complete or taken_at(b) not in keep]
    for backup_id in dropped:
        target.delete_folder(f"{slug}/{backup_id}")
    return dropped
