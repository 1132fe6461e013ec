"""The observability's periodic work: the worker's heartbeat that ``/readyz`` reads, the
snapshots of the app's metrics and the pruning of old task failures."""

from __future__ import annotations

import time

from huey import crontab

from klustera.observability import failures, operations
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


@periodic_task("default", crontab(minute="*/5"))
def snapshot_app_metrics() -> int:
    """Every 5 minutes: the app's own metrics, for the operations page's last hour."""
    return operations.snapshot_metrics()


@periodic_task("default", crontab(hour="3", minute="40"))
def forget_old_task_failures() -> int:
    """Nightly: failed tasks kept longer than 30 days go."""
    return failures.forget_old_failures()
