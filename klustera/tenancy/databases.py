"""Database settings from URLs, shared by the platform database and every tenant database.

Django gives runtime-registered aliases no defaults (ticket #34410), so every
connection dict is built complete here, whatever the engine.
"""

from __future__ import annotations

from typing import Any

import dj_database_url

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRES_ENGINE = "django.db.backends.postgresql"


def config_from_url(url: str, *, conn_max_age: int = 0) -> dict[str, Any]:
    """A complete Django ``DATABASES`` entry for ``url`` (sqlite:// or postgres://)."""
    parsed = dj_database_url.parse(url)
    engine = parsed["ENGINE"]
    if engine not in (SQLITE_ENGINE, POSTGRES_ENGINE):
        raise ValueError(f"Unsupported database engine in URL: {url.split(':', 1)[0]}")
    options: dict[str, Any] = dict(parsed.get("OPTIONS") or {})
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
        "TIME_ZONE": None,
        "TEST": {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "MIRROR": None, "NAME": None},
    }


def is_sqlite(config: dict[str, Any]) -> bool:
    return bool(config["ENGINE"] == SQLITE_ENGINE)
