"""``klustera worker``: consume the task queues (all of them, or the ones named)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
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
            if stop.is_set():  # asked twice: no more waiting
                os._exit(1)
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"Worker consuming {', '.join(names)} with {workers} thread(s) each.")
        self.stdout.flush()  # supervisors and tests read this line through a pipe
        stop.wait()
        busy = stop_consumers(consumers, within=settings.WORKER_STOP_SECONDS)
        if busy:
            self.stderr.write(
                f"Stopped after {settings.WORKER_STOP_SECONDS} s with a task still running in "
                f"{', '.join(busy)}: it was cut short and runs again when it is retried."
            )
        else:
            self.stdout.write("Worker stopped.")
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        # Never wait on the interpreter's finalisation, where a thread stuck in a driver's
        # lock could hold the process for good: the stop is bounded by WORKER_STOP_SECONDS.
        os._exit(1 if busy else 0)


def stop_consumers(consumers: list[Consumer], *, within: float) -> list[str]:
    """Tell every consumer to stop, wait for the tasks running to finish, all against one
    deadline; the names of the threads still busy when it passed."""
    for consumer in consumers:
        consumer.stop_flag.set()
    threads = [
        thread
        for consumer in consumers
        for thread in (consumer.scheduler, *(worker for _, worker in consumer.worker_threads))
    ]
    deadline = time.monotonic() + within
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    return [thread.name for thread in threads if thread.is_alive()]
