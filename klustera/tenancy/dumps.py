"""PostgreSQL's own tools on a complex's database: ``pg_dump`` and ``pg_restore``, always
against the server itself (a ``direct`` address, never a pool), with the connection settings
of a Django ``DATABASES`` entry. Backups and moves between clusters both use them."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import psycopg

from klustera.tenancy.errors import DatabaseToolFailed

TIMEOUT = 3600  # seconds a dump or a restore may take


def pg_connect(config: dict[str, Any], database: str = "") -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname=database or config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        connect_timeout=10,
    )


def pg_tool(name: str, *args: str, config: dict[str, Any], database: str = "") -> None:
    env = {**os.environ, "PGPASSWORD": str(config.get("PASSWORD") or "")}
    command = [
        program(name),
        "-h",
        str(config.get("HOST") or "localhost"),
        "-p",
        str(config.get("PORT") or 5432),
    ]
    if config.get("USER"):
        command += ["-U", str(config["USER"])]
    command += [
        *args,
        "-d" if name == "pg_restore" else "--dbname",
        database or str(config["NAME"]),
    ]
    # the program's full path, and arguments from the settings, never from a request
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)  # noqa: S603
    if done.returncode != 0:
        raise DatabaseToolFailed(f"{name} failed: {done.stderr.strip()[-500:]}")


def program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DatabaseToolFailed(f"{name} is not installed (apt-get install postgresql-client).")
    return path
