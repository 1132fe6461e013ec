"""Database settings from URLs, shared by the platform database and every tenant database.

Django gives runtime-registered aliases no defaults (ticket #34410), so every
connection dict is built complete here, whatever the engine.

A PostgreSQL URL may name PgBouncer in transaction pooling mode instead of the server:
``postgres://…@pool:6432/klustera_tenant_{id}?pgbouncer=transaction&direct=db1:5432``. The
app's connections then go through the pool, without the one thing Django does that
transaction pooling breaks: server-side cursors (a cursor declared in one transaction is gone
from the server connection the next statement gets). Prepared statements stay off (Django's
default with psycopg 3), and no session setting is relied on (PgBouncer carries the time zone
Django sets). Work that needs a session of its own — creating, renaming and dropping
databases, pg_dump and pg_restore — asks for the ``direct`` address.
"""

from __future__ import annotations

from typing import Any

import dj_database_url

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRES_ENGINE = "django.db.backends.postgresql"


def config_from_url(url: str, *, conn_max_age: int = 0, direct: bool = False) -> dict[str, Any]:
    """A complete Django ``DATABASES`` entry for ``url`` (sqlite:// or postgres://); with
    ``direct``, the server itself rather than the pool in front of it."""
    parsed = dj_database_url.parse(url)
    engine = parsed["ENGINE"]
    if engine not in (SQLITE_ENGINE, POSTGRES_ENGINE):
        raise ValueError(f"Unsupported database engine in URL: {url.split(':', 1)[0]}")
    options: dict[str, Any] = dict(parsed.get("OPTIONS") or {})
    pool_mode = options.pop("pgbouncer", "")
    server = options.pop("direct", "")
    if pool_mode not in ("", "transaction"):
        raise ValueError(f"pgbouncer={pool_mode}: only transaction pooling is supported")
    if server and not pool_mode:
        raise ValueError("direct= names the server behind a pool: add pgbouncer=transaction")
    pooled = bool(pool_mode) and not (direct and server)
    if pool_mode and not pooled:
        host, _, port = server.rpartition(":")
        parsed["HOST"], parsed["PORT"] = host or str(parsed.get("HOST") or ""), port
    if engine == SQLITE_ENGINE:
        # Writers wait instead of failing with "database is locked"; WAL lets
        # readers run beside a writer (Django 5.1+ options).
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
        options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    return {
        "ENGINE": engine,
        "NAME": parsed.get("NAME") or "",
        "USER": parsed.get("USER") or "",
        "PASSWORD": parsed.get("PASSWORD") or "",
        "HOST": parsed.get("HOST") or "",
        "PORT": str(parsed.get("PORT") or ""),
        "OPTIONS": options,
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": engine == POSTGRES_ENGINE,
        "DISABLE_SERVER_SIDE_CURSORS": pooled,
        "TIME_ZONE": None,
        "TEST": {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "MIRROR": None, "NAME": None},
    }


def is_sqlite(config: dict[str, Any]) -> bool:
    return bool(config["ENGINE"] == SQLITE_ENGINE)
