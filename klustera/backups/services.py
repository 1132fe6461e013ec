"""Taking a complex's (or the platform's) backup, encrypted with age, and restoring one.

A backup is two files in the target under ``<slug>/<id>/``: ``database.age`` — the database
(SQLite's online backup, gzipped, or ``pg_dump -Fc``), encrypted to the recipients of
``BACKUP_AGE_RECIPIENTS`` before it leaves this machine — and ``manifest.json``, written last:
the complex, the engine, the migrations applied, every table's row count, the ledger's totals,
the artefact's SHA-256 and the tools' versions. A restore checks all of these.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import platform
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
import pyrage
import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from psycopg import sql

from klustera.backups.models import BackupAttempt, Drill
from klustera.backups.retention import backups_to_keep
from klustera.backups.targets import backup_target
from klustera.billing.models import Invoice, Payment, Refund, Reversal
from klustera.billing.selectors import statement
from klustera.estate.models import Unit
from klustera.tenancy import connections as tenant_connections
from klustera.tenancy.context import tenant_context
from klustera.tenancy.databases import config_from_url, is_sqlite
from klustera.tenancy.dumps import pg_connect, pg_tool, program
from klustera.tenancy.errors import DatabaseToolFailed, TenantUnavailable
from klustera.tenancy.models import Tenant
from klustera.tenancy.resolution import forget_resolutions
from klustera.tenancy.services import (
    admin_connection,
    drop_database,
    migrate_tenant,
    resume_tenant,
    server_config,
    suspend_tenant,
)

logger = structlog.get_logger(__name__)
PLATFORM = "_platform"  # the platform database's folder in the target
FORMAT = 1
CHUNK = 1 << 20
SQLITE_WAIT = 120  # seconds a locked SQLite database may hold a backup up


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
    engine, config = _database(tenant)
    with tempfile.TemporaryDirectory(prefix="klustera-backup-") as scratch:
        raw, sealed = Path(scratch) / "database", Path(scratch) / "database.age"
        if engine == "sqlite":  # pg_dump -Fc compresses by itself
            facts = _sqlite_dump(config, raw)
            raw = _gzip(raw)
        else:
            facts = _pg_dump(config, raw)
        pyrage.encrypt_file(str(raw), str(sealed), to)
        manifest = {
            "format": FORMAT,
            "id": backup_id,
            "complex": slug,
            "name": tenant.name if tenant else "platform",
            "cluster": tenant.db_cluster if tenant else "",
            "key_scope": tenant.sealed_as if tenant else "",
            "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "compression": "gzip" if engine == "sqlite" else "",
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


def _database(tenant: Tenant | None) -> tuple[str, dict[str, Any]]:
    """The engine and connection settings of a complex's database (None: the platform's)."""
    if tenant is None:
        live = settings.DATABASES["default"]  # the database in use (a test run renames it)
        config = config_from_url(settings.DATABASE_URL, direct=True) | {"NAME": live["NAME"]}
    else:
        config = server_config(tenant) | {"NAME": tenant.db_name}
    return ("sqlite" if is_sqlite(config) else "postgresql"), config


def _sqlite_dump(config: dict[str, Any], destination: Path) -> dict[str, Any]:
    """SQLite's online backup from a read-only connection of its own: what is committed, while
    others go on writing; a database locked for longer than SQLITE_WAIT fails the backup."""
    name = str(config["NAME"])
    if name.startswith("file:") or name == ":memory:":  # the test suite's platform database
        raise BackupFailed("A database in memory has nothing on disk to back up.")
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=SQLITE_WAIT)
    copy = sqlite3.connect(destination)
    deadline = time.monotonic() + SQLITE_WAIT

    def progress(status: int, remaining: int, total: int) -> None:
        if time.monotonic() > deadline:
            raise BackupFailed(f"The database stayed locked for {SQLITE_WAIT} s.")

    try:
        source.backup(copy, pages=4096, progress=progress)
        return facts_from(copy.cursor(), "sqlite")  # of the copy: exactly what was taken
    finally:
        source.close()
        copy.close()


def _pg_dump(config: dict[str, Any], destination: Path) -> dict[str, Any]:
    """``pg_dump -Fc`` of a snapshot that the manifest's counts are read from too."""
    with pg_connect(config) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        pg_tool(
            "pg_dump", "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
            "-f", str(destination), config=config,
        )  # fmt: skip
        facts = facts_from(conn.cursor(), "postgresql")
        conn.rollback()
    return facts


TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


def facts_from(cursor: Any, engine: str) -> dict[str, Any]:
    """What a restore must find again, read with plain SQL from one consistent view: the
    migrations applied, each table's rows and (in a complex) the ledger's totals."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    cursor.execute(TABLES[engine])
    rows = {}
    for (table,) in sorted(cursor.fetchall()):
        rows[table] = _one(cursor, f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608
    facts: dict[str, Any] = {"migrations": migrations, "rows": rows}
    if Invoice._meta.db_table in rows:
        live = f"{_quoted(Invoice._meta.db_table)} WHERE status <> '{Invoice.Status.CANCELLED}'"

        def total(column: str, source: str) -> str:
            value = _one(cursor, f"SELECT COALESCE(SUM({column}), 0) FROM {source}")  # noqa: S608
            return str(Decimal(str(value)).quantize(Decimal(1)))

        facts["ledger"] = {
            "invoiced": total("total", live),
            "invoices_paid": total("amount_paid", live),
            "payments": total("amount", _quoted(Payment._meta.db_table)),
            "refunds": total("amount", _quoted(Refund._meta.db_table)),
        }
    return facts


def _quoted(table: str) -> str:
    return '"' + table.replace('"', '""') + '"'


def _one(cursor: Any, statement: str) -> Any:
    cursor.execute(statement)  # names from the catalog and the models, quoted; no input
    return cursor.fetchone()[0]


def database_facts(tenant: Tenant) -> dict[str, Any]:
    """The facts of a complex's database as it is now (a restore compares them)."""
    engine, config = _database(tenant)
    if engine == "sqlite":
        with contextlib.closing(sqlite3.connect(f"file:{config['NAME']}?mode=ro", uri=True)) as db:
            return facts_from(db.cursor(), engine)
    with pg_connect(config) as conn:
        return facts_from(conn.cursor(), engine)


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
            [program("pg_dump"), "--version"], capture_output=True, text=True
        ).stdout.strip()
    return tools


def back_up_complex(slug: str) -> dict[str, Any]:
    """Back up a complex (or ``_platform``), record the attempt, apply the retention. A failure
    is recorded and raised; the earlier backups stay as they are."""
    tenant = None if slug == PLATFORM else Tenant.objects.get(slug=slug)
    try:
        manifest = take_backup(tenant)
    except Exception as exc:
        BackupAttempt.objects.create(complex=slug, ok=False, error=str(exc)[:500])
        logger.error("backup.failed", complex=slug, error=str(exc))
        raise
    BackupAttempt.objects.create(
        complex=slug, backup_id=manifest["id"], ok=True, size=manifest["size"]
    )
    prune_backups(slug)
    return manifest


def backup_figures(slugs: list[str]) -> dict[str, Any]:
    """For /metrics: each complex's last good backup (0: never) and last drill's outcome."""
    good = {
        row["complex"]: row["at"].timestamp()
        for row in BackupAttempt.objects.filter(ok=True)
        .values("complex")
        .annotate(at=Max("created_at"))
    }
    drills: dict[str, bool] = {}
    for drill in Drill.objects.order_by("created_at"):  # the latest of each wins
        drills[drill.complex] = drill.ok
    return {
        "backups": {slug: good.get(slug, 0.0) for slug in [PLATFORM, *slugs]},
        "drills": {slug: ok for slug, ok in drills.items() if slug in slugs},
    }


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


def restore_backup(
    *, slug: str, backup_id: str, identity: str, into: str, cluster: str | None = None
) -> Restored:
    """Restore a backup into a new, suspended complex ``into`` for inspection: its artefact
    checked against the manifest, decrypted, migrated forward if older, and its rows and
    ledger compared with the manifest. Refused with nothing changed when anything is off."""
    if slug == PLATFORM:
        raise RestoreRefused("The platform's backup is put back by hand: `backup fetch`.")
    if Tenant.objects.filter(slug=into).exists():
        raise RestoreRefused(f"A complex {into!r} exists already: restore into a new address.")
    with tempfile.TemporaryDirectory(prefix="klustera-restore-") as scratch:
        raw = Path(scratch) / "database"
        manifest = _open_backup(slug, backup_id, identity, raw)
        tenant = _new_tenant(manifest, into, cluster)
        try:
            _load(tenant, manifest["engine"], raw)
            migrate_tenant(tenant)
            _check(tenant, manifest)
        except Exception:
            _drop(tenant)
            raise
    tenant.status = Tenant.Status.SUSPENDED  # nobody served, no reminder sent, until resumed
    tenant.save(update_fields=["status", "updated_at"])
    after = database_facts(tenant)["migrations"]
    logger.info("backup.restored", complex=slug, backup=backup_id, into=into)
    return Restored(tenant, manifest, sorted(set(after) - set(manifest["migrations"])))


def fetch_backup(*, slug: str, backup_id: str, identity: str, to: Path) -> dict[str, Any]:
    """A backup decrypted to a file, checked against its manifest: a SQLite database or a
    ``pg_dump -Fc`` archive (the platform's is put back so, by hand); its manifest."""
    if to.exists():
        raise RestoreRefused(f"{to} exists already.")
    partial = to.with_name(to.name + ".partial")
    try:
        manifest = _open_backup(slug, backup_id, identity, partial)
    except Exception:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, to)
    return manifest


def _open_backup(slug: str, backup_id: str, identity: str, raw: Path) -> dict[str, Any]:
    """Fetch a backup, check it against its manifest and decrypt it to ``raw``."""
    target = backup_target()
    key = f"{slug}/{backup_id}"
    if not target.exists(f"{key}/manifest.json"):
        raise RestoreRefused(f"No complete backup {backup_id} of {slug!r} in the target.")
    manifest: dict[str, Any] = json.loads(target.read_bytes(f"{key}/manifest.json"))
    try:
        secret = pyrage.x25519.Identity.from_str(identity.strip())
    except pyrage.IdentityError as exc:
        raise RestoreRefused("That is not an age secret key (AGE-SECRET-KEY-1…).") from exc
    sealed = raw.with_name(raw.name + ".age")
    try:
        target.get(f"{key}/database.age", sealed)
        if _sha256(sealed) != manifest["sha256"]:
            raise RestoreRefused("The backup's checksum differs from its manifest: it is damaged.")
        compressed = manifest.get("compression") == "gzip"
        opened = raw.with_name(raw.name + ".gz") if compressed else raw
        try:
            pyrage.decrypt_file(str(sealed), str(opened), [secret])
        except pyrage.DecryptError as exc:
            raise RestoreRefused("The backup cannot be decrypted with this key.") from exc
        if compressed:
            with gzip.open(opened) as source, raw.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            opened.unlink()
    finally:
        sealed.unlink(missing_ok=True)
    return manifest


def _gzip(path: Path) -> Path:
    """The file gzipped beside it (level 1: a fifth of the size, at disk speed)."""
    packed = path.with_name(path.name + ".gz")
    with path.open("rb") as source, gzip.open(packed, "wb", compresslevel=1) as out:
        shutil.copyfileobj(source, out, CHUNK)
    path.unlink()
    return packed


def latest_backup(slug: str) -> str:
    """The id of the complex's newest complete backup."""
    found = stored_backups(slug)
    if not found:
        raise RestoreRefused(f"No complete backup of {slug!r} in the target.")
    return found[0].id


def _new_tenant(manifest: dict[str, Any], into: str, cluster: str | None) -> Tenant:
    if cluster is None:
        cluster = (
            manifest["cluster"]
            if manifest["cluster"] in settings.TENANT_DATABASE_CLUSTERS
            else "default"
        )
    tenant = Tenant(
        name=f"{manifest['name']} ({manifest['id'][:8]})",
        slug=into,
        db_cluster=cluster,
        key_scope=manifest.get("key_scope") or manifest["complex"],  # its secrets still open
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
    pg_tool(
        "pg_restore",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        str(raw),
        config=config,
        database=tenant.db_name,
    )


@dataclass(frozen=True)
class Replaced:
    tenant: Tenant  # the live complex, now on the backup's database
    kept: Tenant | None  # a suspended complex holding the database it had (None: it was lost)
    migrated: list[str]


def replace_from_backup(*, slug: str, backup_id: str, identity: str, confirm: str) -> Replaced:
    """Put a backup in place of a live complex's database: restored and checked beside it
    first, then the complex suspended (every process sees it within TENANT_CACHE_SECONDS), the
    two databases swapped, the complex resumed. The database it had is kept, untouched, in a
    suspended complex ``<slug>-old-<time>`` until an operator drops it — unless it was lost."""
    live = Tenant.objects.filter(slug=slug).first()
    if live is None or slug == PLATFORM:
        raise RestoreRefused(f"No complex {slug!r} to replace.")
    if confirm != slug:
        raise RestoreRefused(f"Type the complex's address ({slug}) to confirm replacing it.")
    if live.status not in (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED):
        raise RestoreRefused(f"{slug!r} is {live.status}: only a served complex is replaced.")
    stamp = datetime.now(UTC)
    keep = f"{slug[:44].rstrip('-')}-old-{stamp:%Y%m%d%H%M%S}"
    restored = restore_backup(
        slug=slug, backup_id=backup_id, identity=identity, into=keep, cluster=live.db_cluster
    )
    staged = restored.tenant
    try:
        tenant_connections.ensure_reachable(live)
    except TenantUnavailable:
        lost = True  # its database is gone: nothing to tell it, keep or wait for
    else:
        lost = False
    was_active = live.is_active
    if was_active and not lost:
        suspend_tenant(tenant=live)
        time.sleep(settings.TENANT_CACHE_SECONDS)  # no process serves it from memory now
    with transaction.atomic():
        live.db_name, staged.db_name = staged.db_name, live.db_name
        live.key_scope, staged.key_scope = staged.key_scope, live.sealed_as
        live.save(update_fields=["db_name", "key_scope", "updated_at"])
        if lost:
            staged.delete()
        else:
            staged.name = f"{live.name[:120]} (replaced {stamp:%Y-%m-%d %H:%M} UTC)"
            staged.save(update_fields=["db_name", "key_scope", "name", "updated_at"])
    for tenant in (live, staged):
        tenant_connections.forget(tenant_connections.alias_for(tenant))
    forget_resolutions()
    if was_active and not lost:
        resume_tenant(tenant=live)
    kept = None if lost else staged
    logger.warning("backup.replaced", complex=slug, backup=backup_id, kept=kept and kept.slug)
    return Replaced(live, kept, restored.migrated)


def _check(tenant: Tenant, manifest: dict[str, Any]) -> None:
    now = database_facts(tenant)
    missing = set(manifest["migrations"]) - set(now["migrations"])
    if missing:
        raise RestoreRefused(f"The backup holds migrations this code lacks: {sorted(missing)[:3]}")
    differing = {
        table: (count, now["rows"].get(table))
        for table, count in manifest["rows"].items()
        if now["rows"].get(table) != count and table != "django_migrations"
    }
    if differing:
        raise RestoreRefused(f"Row counts differ from the manifest: {differing}")
    if now.get("ledger") != manifest.get("ledger"):
        raise RestoreRefused(
            f"The ledger differs from the manifest: {now.get('ledger')} ≠ {manifest.get('ledger')}"
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


# --- restore drills -----------------------------------------------------------------------


def ledger_property(ledger: dict[str, str]) -> tuple[Decimal, Decimal]:
    """Every unit's statement balance added up, and invoiced − payments + reversals + refunds
    (``ledger``'s totals): equal in a sound ledger (the complex selected)."""
    balances = sum((statement(unit).closing_balance for unit in Unit.objects.all()), Decimal(0))
    reversed_ = Reversal.objects.aggregate(s=Sum("payment__amount"))["s"] or Decimal(0)
    expected = (
        Decimal(ledger["invoiced"])
        - Decimal(ledger["payments"])
        + reversed_
        + Decimal(ledger["refunds"])
    )
    return balances, expected


def run_drill(slug: str, identity: str) -> Drill:
    """Restore the complex's latest backup into a scratch complex, check it, drop it."""
    latest = next(iter(stored_backups(slug)), None)
    if latest is None:
        return Drill.objects.create(
            complex=slug, backup_id="", ok=False, detail="No backup to restore."
        )
    started = time.perf_counter()
    scratch = f"drill-{secrets.token_hex(4)}"
    restored: Restored | None = None
    try:
        restored = restore_backup(slug=slug, backup_id=latest.id, identity=identity, into=scratch)
        with tenant_context(restored.tenant):
            balances, expected = ledger_property(database_facts(restored.tenant)["ledger"])
        if balances != expected:
            raise RestoreRefused(
                f"The ledger does not balance: units owe {balances}, entries say {expected}."
            )
        ok, detail = (
            True,
            f"{sum(latest.manifest['rows'].values()):,} rows; the ledger balances at {balances}",
        )
    except (RestoreRefused, BackupFailed, DatabaseToolFailed) as exc:
        ok, detail = False, str(exc)[:500]
    finally:
        if restored is not None:
            _drop(restored.tenant)
    drill = Drill.objects.create(
        complex=slug,
        backup_id=latest.id,
        ok=ok,
        detail=detail,
        seconds=time.perf_counter() - started,
    )
    logger.log(20 if ok else 40, "backup.drilled", complex=slug, backup=latest.id, ok=ok)
    return drill


def next_to_drill() -> str | None:
    """The served complex whose last drill is the oldest (never drilled: first)."""
    served = list(
        Tenant.objects.exclude(status=Tenant.Status.CANCELLED)
        .exclude(slug__startswith="drill-")
        .values_list("slug", flat=True)
    )
    last = {
        d["complex"]: d["at"]
        for d in Drill.objects.values("complex").annotate(at=Max("created_at"))
    }
    epoch = datetime.min.replace(tzinfo=UTC)
    return min(served, key=lambda slug: (last.get(slug, epoch), slug), default=None)


@dataclass(frozen=True)
class BackupState:
    complex: str
    last_good: datetime | None
    last_failed: BackupAttempt | None  # when it is newer than the last good one
    drill: Drill | None


def backup_states(slugs: list[str]) -> list[BackupState]:
    """Each complex's (and the platform's) last good backup, a newer failure, its last drill —
    in a few queries, whatever the number of complexes."""

    def latest(queryset: Any) -> dict[str, int]:
        return dict(
            queryset.values("complex").annotate(last=Max("id")).values_list("complex", "last")
        )

    attempts = BackupAttempt.objects.in_bulk(
        [*latest(BackupAttempt.objects.filter(ok=True)).values(),
         *latest(BackupAttempt.objects.filter(ok=False)).values()]
    )  # fmt: skip
    good = {a.complex: a for a in attempts.values() if a.ok}
    bad = {a.complex: a for a in attempts.values() if not a.ok}
    drills = {
        d.complex: d for d in Drill.objects.in_bulk(latest(Drill.objects.all()).values()).values()
    }
    states = []
    for slug in [PLATFORM, *slugs]:
        last_good, failed = good.get(slug), bad.get(slug)
        if failed and last_good and failed.pk < last_good.pk:
            failed = None
        states.append(
            BackupState(
                slug,
                last_good.created_at if last_good else None,
                failed,
                drills.get(slug),
            )
        )
    return states
