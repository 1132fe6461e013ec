"""What the operations page shows: the queues now, and the last hour of the app's own metrics.

The hour is read from this app's Prometheus metrics (every process's files, added up) against
a snapshot the periodic task :func:`snapshot_metrics` keeps every 5 minutes — not from a
Prometheus server, which a small deployment may not run.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from prometheus_client import multiprocess

from klustera.tasks import QUEUES, enqueued_at, queue

SNAPSHOTS_KEY = "observability:metric-snapshots"
HOUR = 3600.0
KEPT_SECONDS = HOUR + 15 * 60
PEEKED = 200  # the next tasks to run, of which the oldest is told


@dataclass(frozen=True)
class QueueState:
    name: str
    depth: int
    oldest_seconds: float | None  # the oldest of the next tasks to run that tell their time


def queue_states(now: float | None = None) -> list[QueueState]:
    now = time.time() if now is None else now
    states = []
    for name in QUEUES:
        huey = queue(name)
        times = [
            moment
            for data in huey.storage.enqueued_items(PEEKED)
            if (moment := enqueued_at(huey.serializer.deserialize(data))) is not None
        ]
        oldest = max(now - min(times), 0.0) if times else None
        states.append(QueueState(name, huey.pending_count(), oldest))
    return states


# --- the app's own metrics over the last hour -------------------------------------------

Buckets = dict[str, float]  # upper bound ("0.005" … "+Inf") → cumulative count


def read_metrics() -> dict[str, Any]:
    """Now: each route's latency buckets (all status classes together) and the Xendit
    callbacks by outcome, added up over every process."""
    routes: dict[str, Buckets] = defaultdict(lambda: defaultdict(float))
    callbacks: dict[str, float] = defaultdict(float)
    if settings.METRICS_ENABLED:
        for family in multiprocess.MultiProcessCollector(None, str(settings.METRICS_DIR)).collect():
            for sample in family.samples:
                if sample.name == "klustera_http_request_duration_seconds_bucket":
                    key = f"{sample.labels['method']} {sample.labels['route']}"
                    routes[key][sample.labels["le"]] += sample.value
                elif sample.name == "klustera_xendit_callbacks_total":
                    callbacks[sample.labels["outcome"]] += sample.value
    return {
        "at": time.time(),
        "routes": {key: dict(buckets) for key, buckets in routes.items()},
        "callbacks": dict(callbacks),
    }


def snapshot_metrics() -> int:
    """Keep the last hour and a quarter of snapshots, one per run."""
    now = read_metrics()
    kept = [s for s in cache.get(SNAPSHOTS_KEY) or [] if s["at"] >= now["at"] - KEPT_SECONDS]
    cache.set(SNAPSHOTS_KEY, [*kept, now], timeout=None)
    return len(kept) + 1


@dataclass(frozen=True)
class RouteLatency:
    route: str  # "GET api/v1/invoices"
    requests: int
    p95_seconds: float


@dataclass(frozen=True)
class LastHour:
    since: float  # when the window starts (the process's start when younger than an hour)
    routes: list[RouteLatency]
    callbacks: int  # arrived (accepted or rejected)
    callbacks_failed: int  # rejected, or failed in processing

    @property
    def callback_failure_percent(self) -> float | None:
        return round(100 * self.callbacks_failed / self.callbacks, 1) if self.callbacks else None


def last_hour(now: dict[str, Any] | None = None) -> LastHour:
    """p95 per route and the callbacks' failure rate since the snapshot nearest an hour ago."""
    now = read_metrics() if now is None else now
    snapshots = [
        s for s in cache.get(SNAPSHOTS_KEY) or [] if now["at"] - KEPT_SECONDS <= s["at"] < now["at"]
    ]
    within = [s for s in snapshots if s["at"] >= now["at"] - HOUR - 150]
    empty: dict[str, Any] = {"at": 0.0, "routes": {}, "callbacks": {}}
    base: dict[str, Any] = min(within, key=lambda s: s["at"]) if within else empty
    routes = []
    for key, buckets in now["routes"].items():
        before = base["routes"].get(key, {})
        if buckets.get("+Inf", 0) < before.get("+Inf", 0):  # the counters restarted since
            before = {}
        delta = {le: count - before.get(le, 0.0) for le, count in buckets.items()}
        if delta.get("+Inf", 0) > 0:
            routes.append(RouteLatency(key, int(delta["+Inf"]), quantile(0.95, delta)))
    routes.sort(key=lambda r: (-r.p95_seconds, -r.requests, r.route))

    def change(*outcomes: str) -> int:
        counted = [now["callbacks"].get(o, 0.0) - base["callbacks"].get(o, 0.0) for o in outcomes]
        return int(sum(max(c, 0.0) for c in counted))

    return LastHour(
        since=base["at"],
        routes=routes,
        callbacks=change("accepted", "rejected"),
        callbacks_failed=change("rejected", "failed"),
    )


def quantile(q: float, buckets: Buckets) -> float:
    """Prometheus' ``histogram_quantile``: linear within the bucket the rank falls in; the
    highest finite bound when it falls in +Inf."""
    bounds = sorted((float(le), count) for le, count in buckets.items())
    total = bounds[-1][1]
    rank = q * total
    lower, below = 0.0, 0.0
    for upper, count in bounds:
        if count >= rank:
            if upper == float("inf"):
                return lower
            inside = count - below
            return lower + (upper - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = upper, count
    return lower
