"""PgBouncer configured as `deploy/pgbouncer/pgbouncer.ini` deploys it (transaction pooling)
in front of a PostgreSQL server: only its address (loopback), files and authentication
(trust, on loopback alone) differ."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from stack.common import WAIT, as_postgres, free_port, wait_for_port

DEPLOYED = Path(__file__).resolve().parent.parent / "deploy" / "pgbouncer" / "pgbouncer.ini"


def deployed(setting: str) -> str:
    """A setting's value as `deploy/pgbouncer/pgbouncer.ini` deploys it."""
    found = re.search(rf"^{setting} = (.*)$", DEPLOYED.read_text(), flags=re.MULTILINE)
    assert found, f"{setting} is not in {DEPLOYED}"
    return found[1].strip()


def configured(root: Path, port: int, server: tuple[str, int]) -> Path:
    """The deployed configuration with this run's address, files and server."""
    text = DEPLOYED.read_text()
    changes = {
        r"^\* = .*$": f"* = host={server[0]} port={server[1]}",
        r"^listen_addr = .*$": "listen_addr = 127.0.0.1",
        r"^listen_port = .*$": f"listen_port = {port}",
        r"^auth_type = .*$": "auth_type = trust",
        r"^auth_file = .*$": f"auth_file = {root / 'users.txt'}",
    }
    for pattern, line in changes.items():
        text, found = re.subn(pattern, line, text, flags=re.MULTILINE)
        assert found == 1, f"{pattern} is not in {DEPLOYED}"
    text += f"\nlogfile = {root / 'pgbouncer.log'}\npidfile = {root / 'pgbouncer.pid'}\n"
    (root / "users.txt").write_text('"postgres" ""\n')
    ini = root / "pgbouncer.ini"
    ini.write_text(text)
    if os.geteuid() == 0:
        for path in [root, *root.iterdir()]:
            shutil.chown(path, "postgres", "postgres")
    return ini


class Pool:
    """One PgBouncer in front of one PostgreSQL server."""

    def __init__(self, root: Path, port: int, server: tuple[str, int]) -> None:
        self.root, self.port, self.server = root, port, server
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        program = shutil.which("pgbouncer")
        if program is None:
            raise RuntimeError("pgbouncer is missing (apt-get install pgbouncer)")
        self.root.mkdir(parents=True, exist_ok=True)
        ini = configured(self.root, self.port, self.server)
        # Its stderr to a file, never a pipe: a pipe nobody reads fills up (64 KB, some 440
        # "registered new auto-database" lines) and PgBouncer then blocks on its next line.
        errors = self.root / "stderr.log"
        process = subprocess.Popen(
            [program, str(ini)], stdout=subprocess.DEVNULL, stderr=errors.open("ab"),
            **as_postgres(),
        )  # fmt: skip
        self.process = process

        def alive() -> None:
            if process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {errors.read_text()[-2000:]}")

        wait_for_port(self.port, alive=alive)

    def admin(self, command: str) -> None:
        """Run a command of PgBouncer's admin console (``SET …``, ``RECONNECT``)."""
        url = f"postgres://postgres@127.0.0.1:{self.port}/pgbouncer"
        # Its console speaks only the simple query protocol: client-side binding sends that.
        with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
            conn.execute(command)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process = None


@contextmanager
def running(server: tuple[str, int] = ("127.0.0.1", 5432)) -> Iterator[int]:
    """A PgBouncer listening on a free port of 127.0.0.1 until the block ends: its port."""
    root = Path(tempfile.mkdtemp(prefix="klustera-pgbouncer-", dir="/tmp"))
    pool = Pool(root, free_port(), server)
    try:
        pool.start()
        yield pool.port
    finally:
        pool.stop()
        shutil.rmtree(root, ignore_errors=True)
