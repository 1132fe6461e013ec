"""Worker liveness: a periodic heartbeat that ``/readyz`` reads."""

from __future__ import annotations

import time

from huey import crontab

from klustera.tasks import periodic_task, queue

HEARTBEAT_KEY = "klustera:worker-heartbeat"


@periodic_task("default", crontab(minute="*"))
def worker_heartbeat() -> float:
    """Record that a worker with the scheduler is alive."""
    now = time.time()
    queue("default").put(HEARTBEAT_KEY, now)
    return now


def last_heartbeat() -> float | None:
    value = queue("default").get(HEARTBEAT_KEY, peek=True)
    return float(value) if value is not None else None
