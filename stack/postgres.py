"""PostgreSQL clusters of our own, from Debian's server binaries: a primary made by
``initdb``, and a streaming standby of it made by ``pg_basebackup``. Each listens on
127.0.0.1 at a port of its own with trust authentication (loopback only)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from stack.common import WAIT, as_postgres

# The newest server installed (Debian: /usr/lib/postgresql/<major>/bin).
BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    default=Path("/usr/lib/postgresql/15/bin"),
)

# Durability the stack's throwaway data does not need; never in production.
MAX_CONNECTIONS = 1300
THROWAWAY = "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "pg_basebackup").exists()


class Cluster:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port, self.data = root, port, root / "data"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str) -> str:
        done = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=WAIT, check=False,
            **as_postgres(),
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}\n{done.stderr}")
        return done.stdout

    def sql(self, statement: str, database: str = "postgres") -> str:
        return self.run(
            str(BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-d", database, "-Atq", "-v", "ON_ERROR_STOP=1", "-c", statement,
        ).strip()  # fmt: skip

    def start(self) -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                 "-w", "-t", str(WAIT), "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", str(WAIT),
                 "stop")  # fmt: skip

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def _listen(self, extra: str) -> None:
        with (self.data / "postgresql.conf").open("a") as conf:  # later lines win
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\ntimezone = 'UTC'\n"
                # Above PgBouncer's max_user_connections, as deployed (a standby needs at
                # least its primary's).
                f"max_connections = {MAX_CONNECTIONS}\n{extra}"
            )

    @classmethod
    def create(cls, root: Path, port: int, *, extra: str = THROWAWAY) -> Cluster:
        """A new primary in ``root`` (made and given to the postgres user), started."""
        _own(root)
        made = cls(root, port)
        made.run(str(BIN / "initdb"), "-D", str(made.data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8")  # fmt: skip
        made._listen(extra)
        made.start()
        return made

    def standby(self, root: Path, port: int, *, extra: str = THROWAWAY) -> Cluster:
        """A streaming replica of this cluster in ``root``, started: hot standby, read-only."""
        _own(root)
        made = Cluster(root, port)
        made.run(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port),
                 "-U", "postgres", "-D", str(made.data), "--write-recovery-conf",
                 "--wal-method=stream", "--checkpoint=fast")  # fmt: skip
        made._listen(extra)
        made.start()
        return made

    def destroy(self) -> None:
        if self.running():
            subprocess.run(
                [str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True, timeout=WAIT, check=False, **as_postgres(),
            )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def _own(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if as_postgres():
        shutil.chown(root, "postgres", "postgres")
