"""nginx as the stack's load balancer, configured from `deploy/nginx/klustera.conf` (the
upstream's servers, the port and the static folder differ), and the health check that takes
an app instance whose ``/readyz`` fails out of the upstream and puts it back."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import urllib.request
from pathlib import Path

from stack.common import WAIT, wait_for_port

DEPLOYED = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "klustera.conf"
FAILS_TO_TAKE_OUT = 2  # /readyz failures in a row before an instance leaves the upstream


class Balancer:
    def __init__(self, root: Path, port: int, apps: list[int], static: Path) -> None:
        self.root, self.port, self.apps, self.static = root, port, apps, static
        self.out: set[int] = set()  # instances taken out by the health check
        self._fails = dict.fromkeys(apps, 0)
        self._stop = threading.Event()
        self._checker: threading.Thread | None = None

    def _site(self, out: set[int]) -> str:
        text = DEPLOYED.read_text()
        servers = "".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s"
            f"{' down' if port in out else ''};\n"
            for port in self.apps
        )
        text = re.sub(r"(upstream klustera_app \{\n)(?:    server .*\n)+", rf"\g<1>{servers}", text)
        text = text.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        return text.replace("/srv/klustera/static/", f"{self.static}/")

    def _write(self, out: set[int]) -> Path:
        (self.root / "site.conf").write_text(self._site(out))
        main = self.root / "nginx.conf"
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the project's files
        main.write_text(
            f"{user}worker_processes 1;\npid {self.root / 'nginx.pid'};\n"
            f"error_log {self.root / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n  include /etc/nginx/mime.types;\n"
            f"  access_log {self.root / 'access.log'};\n"
            f"  client_body_temp_path {self.root / 'body'};\n"
            f"  proxy_temp_path {self.root / 'proxy'};\n"
            f"  include {self.root / 'site.conf'};\n}}\n"
        )
        return main

    def _nginx(self, *args: str) -> None:
        program = shutil.which("nginx") or "/usr/sbin/nginx"
        done = subprocess.run(
            [program, "-c", str(self.root / "nginx.conf"), "-p", str(self.root), *args],
            capture_output=True, text=True, timeout=WAIT, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"nginx {' '.join(args)} failed ({done.returncode}): {done.stderr}")

    def start(self, *, health_every: float = 1.0) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._write(self.out)
        self._nginx("-t")
        self._nginx()  # daemonises
        wait_for_port(self.port)
        self._checker = threading.Thread(target=self._check_forever, args=(health_every,))
        self._checker.daemon = True
        self._checker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._checker is not None:
            self._checker.join(WAIT)
        pid = self.root / "nginx.pid"
        if pid.exists():
            try:
                self._nginx("-s", "quit")
            except RuntimeError:  # no signal reached it: end the master directly
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid.read_text().strip()), signal.SIGTERM)

    def check(self) -> None:
        """Probe every instance's /readyz once; reload nginx when one leaves or comes back.
        ``out`` changes once nginx has been told, not before: who waits for it waits for that
        (and a reload that failed is tried again on the next round)."""
        out = set(self.out)
        for port in self.apps:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    ready = r.status == 200
            except OSError:
                ready = False
            self._fails[port] = 0 if ready else self._fails[port] + 1
            if ready and port in out:
                out.discard(port)
            elif (
                self._fails[port] >= FAILS_TO_TAKE_OUT
                and port not in out
                and len(out) + 1 < len(self.apps)  # never take the last one out
            ):
                out.add(port)
        if out != self.out:
            self._write(out)
            self._nginx("-s", "reload")
            self.out = out

    def _check_forever(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.check()
            except RuntimeError:
                continue  # a reload that failed is tried again on the next round
