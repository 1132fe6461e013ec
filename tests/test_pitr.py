"""Point-in-time recovery of a PostgreSQL cluster with pgBackRest, configured as
`deploy/pgbackrest/` says: a scratch cluster with WAL archiving, a full backup, writes, and a
restore to a moment between two of them — what was committed before it is there, what came
after is not. The repository is a folder here instead of the bucket (one environment
variable apart); everything else is the deployed configuration."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "pgbackrest"
# The newest PostgreSQL server installed (Debian: /usr/lib/postgresql/<major>/bin).
BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    default=Path("/usr/lib/postgresql/15/bin"),
)
WAIT = 60  # seconds any step may take before the test fails


def _require() -> None:
    if shutil.which("pgbackrest") and (BIN / "initdb").exists():
        return
    if os.environ.get("KLUSTERA_REQUIRE_SERVICES"):
        pytest.fail("pgbackrest or PostgreSQL's server binaries are missing")
    pytest.skip("pgbackrest or PostgreSQL's server binaries are missing")


class Cluster:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port, self.data = root, port, root / "data"
        self.env = {
            "PATH": os.environ["PATH"],
            "PGBACKREST_CONFIG": str(DEPLOY / "pgbackrest.conf"),
            "PGBACKREST_REPO1_TYPE": "posix",
            "PGBACKREST_REPO1_PATH": str(root / "repo"),
            "PGBACKREST_REPO1_CIPHER_PASS": "a-test-passphrase-not-for-production",
            "PGBACKREST_PG1_PATH": str(self.data),
            "PGBACKREST_PG1_PORT": str(port),
            "PGBACKREST_PG1_SOCKET_PATH": str(root),
            "PGBACKREST_LOG_PATH": str(root / "log"),
            "PGBACKREST_LOCK_PATH": str(root / "lock"),
            "PGBACKREST_SPOOL_PATH": str(root / "spool"),
        }

    def run(self, *command: str) -> str:
        as_postgres: dict[str, Any] = (
            {"user": "postgres", "group": "postgres", "extra_groups": []}
            if os.geteuid() == 0
            else {}
        )
        done = subprocess.run(
            command, env=self.env, cwd=self.root, capture_output=True, text=True,
            timeout=WAIT, check=False, **as_postgres,
        )  # fmt: skip
        assert done.returncode == 0, f"{command[0]} failed: {done.stdout}\n{done.stderr}"
        return done.stdout

    def sql(self, statement: str) -> str:
        return self.run(
            str(BIN / "psql") if (BIN / "psql").exists() else "psql",
            "-h", str(self.root), "-p", str(self.port), "-U", "postgres", "-d", "postgres",
            "-Atq", "-v", "ON_ERROR_STOP=1", "-c", statement,
        ).strip()  # fmt: skip

    def start(self) -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "pg.log"),
                 "-w", "-t", str(WAIT), "start")  # fmt: skip

    def stop(self) -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", str(WAIT),
                 "stop")  # fmt: skip

    def wait_for(self, statement: str, expected: str) -> None:
        deadline = time.monotonic() + WAIT
        while (seen := self.sql(statement)) != expected:
            assert time.monotonic() < deadline, f"{statement!r} gave {seen!r}, not {expected!r}"
            time.sleep(0.2)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    _require()
    root = Path(tempfile.mkdtemp(prefix="klustera-pitr-", dir="/tmp"))
    for name in ("repo", "log", "lock", "spool"):
        (root / name).mkdir()
    if os.geteuid() == 0:
        for path in [root, *root.iterdir()]:
            shutil.chown(path, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    made = Cluster(root, port)
    made.run(str(BIN / "initdb"), "-D", str(made.data), "-U", "postgres", "--auth=trust")
    with (made.data / "postgresql.conf").open("a") as conf:
        conf.write((DEPLOY / "postgresql.conf").read_text())  # archive_command as deployed
        conf.write(f"\nport = {port}\nlisten_addresses = ''\nunix_socket_directories = '{root}'\n")
    made.start()
    try:
        yield made
    finally:
        subprocess.run(
            [str(BIN / "pg_ctl"), "-D", str(made.data), "-m", "immediate", "stop"],
            capture_output=True, timeout=WAIT, check=False,
            **({"user": "postgres"} if os.geteuid() == 0 else {}),
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.services
def test_a_cluster_is_restored_to_a_moment_between_two_writes(cluster: Cluster) -> None:
    cluster.run("pgbackrest", "--stanza=klustera", "stanza-create")
    cluster.run("pgbackrest", "--stanza=klustera", "--type=full", "backup")
    stop = json.loads(cluster.run("pgbackrest", "--stanza=klustera", "--output=json", "info"))[0][
        "backup"
    ][-1]["timestamp"]["stop"]
    # pgBackRest counts a backup's end in whole seconds: a moment to restore to comes after it.
    cluster.wait_for(f"SELECT clock_timestamp() > to_timestamp({stop + 1})", "t")
    cluster.sql("CREATE TABLE payment (receipt text PRIMARY KEY)")
    cluster.sql("INSERT INTO payment VALUES ('RCP-1 before the mistake')")
    moment = cluster.sql("SELECT clock_timestamp()")
    cluster.sql("INSERT INTO payment VALUES ('RCP-2 after the mistake')")
    cluster.sql("DELETE FROM payment WHERE receipt LIKE 'RCP-1%'")  # the mistake
    cluster.sql("SELECT pg_switch_wal()")
    cluster.run("pgbackrest", "--stanza=klustera", "check")  # the WAL reached the repository
    cluster.stop()

    cluster.run(
        "pgbackrest", "--stanza=klustera", "--delta", "--type=time", f"--target={moment}",
        "--target-action=promote", "restore",
    )  # fmt: skip
    cluster.start()
    cluster.wait_for("SELECT pg_is_in_recovery()", "f")
    assert cluster.sql("SELECT string_agg(receipt, ',') FROM payment") == (
        "RCP-1 before the mistake"
    )
