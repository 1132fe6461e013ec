"""A Redis server of the stack's own, configured as `deploy/redis/redis.conf` deploys it (AOF
every second, no eviction): only its port and folder differ."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from stack.common import WAIT, wait_for_port

DEPLOYED = Path(__file__).resolve().parent.parent / "deploy" / "redis" / "redis.conf"


class Redis:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        program = shutil.which("redis-server")
        if program is None:
            raise RuntimeError("redis-server is missing (apt-get install redis-server)")
        self.root.mkdir(parents=True, exist_ok=True)
        text = DEPLOYED.read_text()
        text = re.sub(r"^port .*$", f"port {self.port}", text, flags=re.MULTILINE)
        text = re.sub(r"^dir .*$", f"dir {self.root}", text, flags=re.MULTILINE)
        conf = self.root / "redis.conf"
        conf.write_text(text + f"\nlogfile {self.root / 'redis.log'}\n")
        self.process = subprocess.Popen([program, str(conf)], stdout=subprocess.DEVNULL)

        def alive() -> None:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.root / 'redis.log'}")

        wait_for_port(self.port, alive=alive)

    def stop(self) -> None:
        """SIGTERM: Redis writes what it holds to disk first."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(WAIT)
        self.process = None
