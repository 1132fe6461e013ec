"""What the benchmarks share: their PostgreSQL databases, in-process setup, a live server,
and wrk's figures."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


SERVERS = {
    # what `klustera serve` runs: gthread, 2 processes x 4 threads
    "gunicorn": lambda port: [
        sys.executable, "-m", "gunicorn", "klustera.wsgi", "-k", "gthread", "-w", "2",
        "--threads", "4", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
        "--config", "python:klustera.observability.gunicorn",
    ],
    # granian's WSGI (Rust's HTTP stack), the same 2 processes x 4 threads
    "granian": lambda port: [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2",
        "--blocking-threads", "4", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--no-access-log", "klustera.wsgi:application",
    ],  # (granian does not ship with Klustera: pip install granian to measure it)
}  # fmt: skip


def start_server(
    env: dict[str, str], port: int, server: str = "gunicorn"
) -> subprocess.Popen[bytes]:
    """The WSGI server (``SERVERS``, gunicorn by default) on ``port``, returned once ``/healthz``
    answers. Its log lines go to /dev/null: written (their cost counts), not shown."""
    process = subprocess.Popen(
        SERVERS[server](port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return process


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
        [*klustera, "shell", "-c", seed], env=env, capture_output=True, text=True
    )
    if seeded.returncode:
        raise SystemExit(f"the seed failed:\n{seeded.stderr}")
    return seeded.stdout


# --- A seeded complex served by gunicorn, loaded with wrk --------------------------------

SERVED_PREFIX = "klustera_bench_served_"
SERVED_PORT = 8765

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %f\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def require_wrk(script: str) -> None:
    if not shutil.which("wrk"):
        sys.exit(f"{script} needs wrk: apt-get install wrk")


@contextlib.contextmanager
def served_complex(
    name: str, seed: str, server: str = "gunicorn", **settings: str
) -> Iterator[tuple[Path, dict[str, str]]]:
    """Fresh PostgreSQL databases, the complex ``bench`` seeded by ``seed``, gunicorn serving it
    on ``SERVED_PORT`` with production settings and Redis.

    ``settings`` are environment variables on top of the production ones. Yields the var
    directory and what the seed printed (its ``KEY value`` lines); stops the server and drops
    the databases afterwards.
    """
    drop_databases(SERVED_PREFIX)
    create_database(SERVED_PREFIX + "platform")
    with tempfile.TemporaryDirectory(prefix=f"klustera-bench-{name}-") as var_dir:
        env = production_environment(var_dir, prefix=SERVED_PREFIX, redis_db=14) | settings
        seeded = create_bench_complex(env, seed)
        values = dict(line.split(" ", 1) for line in seeded.splitlines() if " " in line)
        subprocess.run(
            [sys.executable, "-m", "klustera", "collectstatic", "--noinput"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        process = start_server(env, SERVED_PORT, server)
        try:
            yield Path(var_dir), values
        finally:
            process.terminate()
            process.wait(timeout=30)
            drop_databases(SERVED_PREFIX)


def wrk(
    url: str, token: str, seconds: int, connections: int, script: str, *script_args: str
) -> tuple[float, ...]:
    """Requests/s and p50/p95/p99 in milliseconds (``script`` ends with ``LUA``)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url]
    if script_args:
        command += ["--", *script_args]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", output)
    assert match, output
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert non_2xx is None, f"{url}: {non_2xx.group(0)}"
    return tuple(float(x) for x in match.groups())


def report(label: str, figures: tuple[float, ...], ratio: str = "") -> None:
    """One line of figures: requests/s, p50, p95, p99 (and the ratio to the floor)."""
    rps, p50, p95, p99 = figures
    print(
        f"  {label:<34} {rps:8.0f} req/s   p50 {p50:6.1f} ms   "
        f"p95 {p95:6.1f} ms   p99 {p99:6.1f} ms{ratio}"
    )
