"""What the benchmarks share: their PostgreSQL databases, in-process setup, a live server."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

PG = os.environ.get("KLUSTERA_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def drop_databases(prefix: str) -> None:
    """Drop every PostgreSQL database whose name starts with ``prefix``."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]
        ).fetchall()
        for (name,) in rows:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def create_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure_in_process(var_dir: Path, *, pg_prefix: str, tasks_immediate: bool) -> None:
    """Django in this process: SQLite platform and default cluster, a ``pg`` cluster."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "klustera.settings",
            "KLUSTERA_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir}/platform.sqlite3",
            "TENANT_DATABASE_CLUSTERS": f"pg={PG}/{pg_prefix}{{id}}",
            "TASKS_IMMEDIATE": "1" if tasks_immediate else "",
            "REDIS_URL": "",
            # Throughput is measured, not the rate limits (counted all the same).
            "RATE_LIMIT_IP": "100000000/min",
            "RATE_LIMIT_USER": "100000000/hour",
            "RATE_LIMIT_GATE": "100000000/min",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", database="default", verbosity=0)


def production_environment(var_dir: str, *, prefix: str, redis_db: int) -> dict[str, str]:
    """Production settings on PostgreSQL (platform and tenants) and Redis, limits raised."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "klustera.settings",
        "KLUSTERA_ENV": "production",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "KLUSTERA_VAR_DIR": var_dir,
        "DATABASE_URL": f"{PG}/{prefix}platform",
        "TENANT_DATABASE_URL": f"{PG}/{prefix}{{id}}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "BASE_DOMAIN": "localhost",
        "RATE_LIMIT_IP": "100000000/min",
        "RATE_LIMIT_USER": "100000000/hour",
        "RATE_LIMIT_GATE": "100000000/min",
        "LOG_LEVEL": "WARNING",
    }


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """gunicorn gthread 2x4 on ``port``, returned once ``/healthz`` answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "klustera.wsgi", "-k", "gthread", "-w", "2",
         "--threads", "4", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server


def create_bench_complex(env: dict[str, str], seed: str) -> str:
    """Migrate, provision the complex ``bench`` through the CLI, run ``seed`` in a shell.

    Returns what the seed printed (its ``KEY value`` lines).
    """
    klustera = [sys.executable, "-m", "klustera"]
    subprocess.run([*klustera, "tenants", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*klustera, "tenants", "create", "--name", "Bench", "--slug", "bench",
         "--manager-phone", "081100000001", "--manager-password", "x-pass-123"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    seeded = subprocess.run(
        [*klustera, "shell", "-c", seed], env=env, check=True, capture_output=True, text=True
    )
    return seeded.stdout
