"""Moving a complex's database to another cluster (``klustera tenants move SLUG --cluster B``).

1. The complex is marked moving: every process answers its requests 503 (``Retry-After``)
   within ``TENANT_CACHE_SECONDS``, and its tasks wait instead of running. On PostgreSQL its
   database also turns read-only and the connections still open to it are ended, so nothing
   can write there any more; the other complexes carry on.
2. The database is copied: ``pg_dump`` → ``pg_restore`` into a new database on the target
   (SQLite: its online backup into the target's file).
3. Both are compared table by table, row counts and a checksum of every row; any difference
   drops the copy and leaves the complex where it was, served again.
4. The complex is switched to the copy and served again. The old database is kept, read-only,
   under a suspended complex ``<slug>-moved-<time>``, until an operator drops it by hand.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from psycopg import errors, sql

from klustera.tenancy import connections
from klustera.tenancy.databases import is_sqlite
from klustera.tenancy.dumps import pg_connect, pg_tool
from klustera.tenancy.errors import DatabaseToolFailed, MoveRefused, TenantUnavailable
from klustera.tenancy.models import Tenant
from klustera.tenancy.resolution import forget_resolutions
from klustera.tenancy.services import admin_connection, server_config

logger = structlog.get_logger(__name__)

Checksums = dict[str, tuple[int, str]]  # table → (rows, digest of every row)


@dataclass(frozen=True)
class Moved:
    tenant: Tenant  # served from the target cluster now
    kept: Tenant  # suspended, holding the old database
    tables: int
    rows: int
    seconds: float  # how long the complex was not served


def move_tenant(*, tenant: Tenant, cluster: str) -> Moved:
    """Move ``tenant``'s database to ``cluster``, verified; see the module's steps."""
    source, target, target_name = _plan(tenant, cluster)
    was = tenant.status
    started = time.monotonic()
    _set_status(tenant, Tenant.Status.MOVING)
    time.sleep(settings.TENANT_CACHE_SECONDS)  # no process serves it from memory now
    created = False
    try:
        _stop_writes(source)
        _create(target)
        created = True
        _copy(source, target)
        before, after = checksums(source), checksums(target)
        if before != after:
            differing = sorted(
                t for t in before.keys() | after.keys() if before.get(t) != after.get(t)
            )
            raise MoveRefused(f"The copy differs from the original in {differing[:5]}")
    except BaseException:
        if created:
            _drop(target)
        _allow_writes(source)
        connections.forget(connections.alias_for(tenant))  # ended by _stop_writes
        _set_status(tenant, was)
        raise
    stamp = datetime.now(UTC)
    with transaction.atomic():
        old_cluster, old_name = tenant.db_cluster, tenant.db_name
        tenant.db_cluster, tenant.db_name, tenant.status = cluster, target_name, was
        tenant.save(update_fields=["db_cluster", "db_name", "status", "updated_at"])
        kept = Tenant.objects.create(
            name=f"{tenant.name[:120]} (moved {stamp:%Y-%m-%d %H:%M} UTC)",
            slug=f"{tenant.slug[:40].rstrip('-')}-moved-{stamp:%Y%m%d%H%M%S}",
            db_cluster=old_cluster,
            db_name=old_name,
            key_scope=tenant.sealed_as,  # its secrets still open
            status=Tenant.Status.SUSPENDED,
        )
    connections.forget(connections.alias_for(tenant))
    forget_resolutions()
    moved = Moved(
        tenant=tenant,
        kept=kept,
        tables=len(after),
        rows=sum(rows for rows, _ in after.values()),
        seconds=time.monotonic() - started,
    )
    logger.warning(
        "tenant.moved", complex=tenant.slug, cluster=cluster, kept=kept.slug,
        rows=moved.rows, seconds=round(moved.seconds, 1),
    )  # fmt: skip
    return moved


def _plan(tenant: Tenant, cluster: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The source's and the target's connection settings, and the target database's name."""
    if tenant.db_cluster == cluster:
        raise MoveRefused(f"{tenant.slug} is on {cluster} already.")
    if tenant.status not in (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED):
        raise MoveRefused(f"{tenant.slug} is {tenant.status}: only a served complex moves.")
    try:
        connections.cluster_url(cluster)
    except TenantUnavailable as exc:
        raise MoveRefused(str(exc)) from None
    placed = Tenant(pk=tenant.pk, slug=tenant.slug, db_cluster=cluster)
    target_name = connections.planned_database_name(placed)
    source = server_config(tenant) | {"NAME": tenant.db_name}
    target = server_config(placed) | {"NAME": target_name}
    if is_sqlite(source) != is_sqlite(target):
        raise MoveRefused("A complex moves between clusters of one engine only.")
    return source, target, target_name


def _set_status(tenant: Tenant, status: str) -> None:
    tenant.status = status
    tenant.save(update_fields=["status", "updated_at"])
    forget_resolutions()


def _stop_writes(source: dict[str, Any]) -> None:
    """PostgreSQL: new sessions are read-only, and the open ones are ended."""
    if is_sqlite(source):
        return
    with admin_connection(source) as conn:
        name = sql.Identifier(source["NAME"])
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET default_transaction_read_only = on").format(name)
        )
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [source["NAME"]],
        )


def _allow_writes(source: dict[str, Any]) -> None:
    if is_sqlite(source):
        return
    with admin_connection(source) as conn:
        name = sql.Identifier(source["NAME"])
        conn.execute(sql.SQL("ALTER DATABASE {} RESET default_transaction_read_only").format(name))


def _create(target: dict[str, Any]) -> None:
    if is_sqlite(target):
        Path(target["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        try:
            Path(target["NAME"]).touch(exist_ok=False)
        except FileExistsError:
            raise MoveRefused(f"The database file {target['NAME']} exists already.") from None
        return
    with admin_connection(target) as conn:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
        except errors.DuplicateDatabase:
            raise MoveRefused(f"The database {target['NAME']} exists on the target.") from None


def _copy(source: dict[str, Any], target: dict[str, Any]) -> None:
    if is_sqlite(source):
        with (
            contextlib.closing(sqlite3.connect(f"file:{source['NAME']}?mode=ro", uri=True)) as db,
            contextlib.closing(sqlite3.connect(target["NAME"])) as copy,
        ):
            db.backup(copy)
        return
    with tempfile.TemporaryDirectory(prefix="klustera-move-") as scratch:
        dump = str(Path(scratch) / "database")
        pg_tool("pg_dump", "-Fc", "--no-owner", "--no-acl", "-f", dump, config=source)
        pg_tool("pg_restore", "--no-owner", "--no-acl", "--exit-on-error", dump, config=target)


def _drop(target: dict[str, Any]) -> None:
    if is_sqlite(target):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(target["NAME"] + suffix).unlink(missing_ok=True)
        return
    with contextlib.suppress(errors.Error, DatabaseToolFailed), admin_connection(target) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(target["NAME"])
            )
        )


def checksums(config: dict[str, Any]) -> Checksums:
    """Each table's row count and a digest of its rows, whatever order they are stored in."""
    if is_sqlite(config):
        with contextlib.closing(sqlite3.connect(f"file:{config['NAME']}?mode=ro", uri=True)) as db:
            tables = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            found = {}
            for table in tables:
                digests = sorted(
                    hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()
                    for row in db.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (catalog names)
                )
                whole = hashlib.md5("".join(digests).encode(), usedforsecurity=False).hexdigest()
                found[table] = (len(digests), whole if digests else "")
            return found
    with pg_connect(config) as conn:
        conn.execute("SET TIME ZONE 'UTC'")  # timestamps read alike from both clusters
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        found = {}
        for table in tables:
            rows, digest = conn.execute(
                sql.SQL(
                    "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '')"
                    " FROM (SELECT md5(t::text) AS h FROM {} AS t) AS rows"
                ).format(sql.Identifier(table))
            ).fetchone()  # type: ignore[misc]
            found[table] = (int(rows), str(digest))
        conn.rollback()
        return found
