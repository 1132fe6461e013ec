"""``klustera serve``: the web server and the worker together (what ``make run`` starts)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the app with gunicorn and run the worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        # Metrics start from nothing with the server (prometheus-client's multiprocess mode):
        # files of processes from an earlier run would be added in for ever.
        for stale in Path(settings.METRICS_DIR).glob("*.db"):
            stale.unlink(missing_ok=True)
        klustera = [sys.executable, "-m", "klustera"]
        children: list[subprocess.Popen[bytes]] = []
        simulated = urlsplit(settings.XENDIT_API_URL)
        if not settings.PRODUCTION and simulated.hostname in ("127.0.0.1", "localhost"):
            # The embedded default pays through the local Xendit simulator.
            port = str(simulated.port or 80)
            children.append(subprocess.Popen([*klustera, "xendit-sim", "--port", port]))
        children += [
            subprocess.Popen([*klustera, "worker"]),
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "klustera.wsgi",
                    "--config",
                    "python:klustera.observability.gunicorn",
                    "--bind",
                    options["bind"],
                    "--worker-class",
                    "gthread",
                    "--workers",
                    str(options["web_workers"]),
                    "--threads",
                    str(options["threads"]),
                    "--max-requests",
                    "1000",
                    "--max-requests-jitter",
                    "100",
                    "--timeout",
                    "30",
                    "--access-logfile",
                    "-",
                ]
            ),
        ]

        def shutdown(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGINT, shutdown)
        signal.signal(signal.SIGTERM, shutdown)
        try:
            # Whichever stops first takes the other down with it.
            while all(child.poll() is None for child in children):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    children[-1].wait(timeout=1)
        finally:
            shutdown(0, None)
            for child in children:
                child.wait(timeout=30)
