"""Ports, waiting for servers to listen, and the user servers run as."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from typing import Any

WAIT = 60  # seconds a server may take to come up before the caller fails


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, alive: Callable[[], object] = lambda: None) -> None:
    """Return once 127.0.0.1:``port`` accepts connections; ``alive`` raises if the server died."""
    deadline = time.monotonic() + WAIT
    while True:
        alive()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {WAIT} s") from None
            time.sleep(0.05)


def as_postgres() -> dict[str, Any]:
    """``subprocess`` arguments to run as the postgres user when we are root: PostgreSQL and
    PgBouncer refuse to run as root."""
    if os.geteuid() == 0:
        return {"user": "postgres", "group": "postgres", "extra_groups": []}
    return {}
