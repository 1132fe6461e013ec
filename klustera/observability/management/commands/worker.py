"""``klustera worker``: consume the task queues (all of them, or the ones named)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from huey.consumer import Consumer

from klustera.tasks import QUEUES, queue


class Command(BaseCommand):
    help = "Run the background worker for the task queues."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue", action="append", choices=QUEUES, dest="queues")
        parser.add_argument("--workers", type=int, default=None, help="Threads per queue.")
        parser.add_argument(
            "--no-periodic", action="store_true", help="Do not run the periodic scheduler here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        import klustera.observability.tasks  # noqa: F401  (periodic tasks)

        names = options["queues"] or list(QUEUES)
        workers = options["workers"] or settings.WORKER_THREADS
        consumers = [
            Consumer(
                queue(name),
                workers=workers,
                worker_type="thread",
                # Periodic jobs are declared on the default queue; one scheduler runs them.
                periodic=name == "default" and not options["no_periodic"],
            )
            for name in names
        ]
        for consumer in consumers:
            consumer.start()

        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"Worker consuming {', '.join(names)} with {workers} thread(s) each.")
        self.stdout.flush()  # supervisors and tests read this line through a pipe
        stop.wait()
        self.stdout.write("Stopping worker…")
        for consumer in consumers:
            consumer.stop(graceful=True)
