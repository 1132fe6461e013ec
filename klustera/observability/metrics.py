"""Prometheus metrics, in prometheus-client's multiprocess mode.

Every process — each gunicorn worker, each task worker — writes its counters and histograms
into ``settings.METRICS_DIR`` (``PROMETHEUS_MULTIPROC_DIR``); ``/metrics`` adds them up. What
is cheap to read live (queue depths, the worker's heartbeat) is read at scrape time; the
business figures are computed by a periodic task into the cache
(:data:`BUSINESS_FIGURES_KEY`), never at scrape time, so a scrape stays cheap with a
thousand complexes.

Labels stay bounded: route templates, never raw paths; task names, queue names, channels,
providers and outcomes; complex slugs only on the business figures. Never an id.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from huey import signals as huey_signals
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from klustera.observability.tasks import last_heartbeat
from klustera.tasks import QUEUES, queue
from klustera.tenancy.connections import open_tenant_connections

REQUEST_SECONDS = Histogram(
    "klustera_http_request_duration_seconds",
    "Time to answer a request, by route template, method and status class (2xx … 5xx).",
    ["route", "method", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
)
TASKS = Counter(
    "klustera_tasks_total",
    "Tasks that ended a run, by queue, task and outcome (complete, error, retrying, …).",
    ["queue", "task", "outcome"],
)
TASK_SECONDS = Histogram(
    "klustera_task_duration_seconds",
    "Time a task ran, by queue and task.",
    ["queue", "task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)
XENDIT_CALLBACKS = Counter(
    "klustera_xendit_callbacks_total",
    "Xendit callbacks: accepted or rejected on arrival, then processed, ignored or failed.",
    ["outcome"],
)
RECONCILIATIONS = Counter(
    "klustera_xendit_reconciliations_total",
    "Pending payment attempts asked about at Xendit, by what Xendit answered.",
    ["outcome"],
)
OUTBOX = Counter(
    "klustera_outbox_deliveries_total",
    "Outbox messages handed to a provider, by channel, provider and outcome.",
    ["channel", "provider", "outcome"],
)
TENANT_CONNECTIONS = Gauge(
    "klustera_tenant_connections_open",
    "Tenant database connections held open by the app's threads after their last request.",
    multiprocess_mode="livesum",
)
TENANT_CONNECTIONS_BOUND = Gauge(
    "klustera_tenant_connections_bound",
    "The most tenant connections those threads may hold (TENANT_CONNECTIONS_MAX each).",
    multiprocess_mode="livesum",
)

# What the periodic task (klustera.platform.tasks) leaves in the cache for /metrics.
BUSINESS_FIGURES_KEY = "observability:business-figures"
BUSINESS_FIGURES = {
    "units": "Units in the complex.",
    "residents_active": "Residents living in a unit now.",
    "invoices_billed_rupiah": "Invoiced this month, in rupiah.",
    "invoices_paid_rupiah": "Paid of this month's invoices, in rupiah.",
    "collection_ratio": "Paid of billed this month (0 … 1).",
    "users_daily_active": "People who used Klustera in the last 24 hours.",
    "users_monthly_active": "People who used Klustera in the last 30 days.",
    "mrr_rupiah": "What the complex pays the platform a month, in rupiah.",
}


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(request: Any) -> str:
    """The route template a request matched, the label its figures are kept under: the
    complex's home is ``/`` (its template is empty); a path that matched nothing one label."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return str(match.route) or "/"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


_held: dict[int, int] = {}
_held_lock = threading.Lock()


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """One answered request; and this thread's tenant connections after it."""
    if not settings.METRICS_ENABLED:
        return
    method = method if method in METHODS else "other"  # a client picks the method
    REQUEST_SECONDS.labels(route, method, status_class(status)).observe(seconds)
    with _held_lock:
        _held[threading.get_ident()] = open_tenant_connections()
        TENANT_CONNECTIONS.set(sum(_held.values()))
        TENANT_CONNECTIONS_BOUND.set(len(_held) * max(int(settings.TENANT_CONNECTIONS_MAX), 1))


# --- tasks, through Huey's signals ----------------------------------------------------

_ENDINGS = (
    huey_signals.SIGNAL_COMPLETE,
    huey_signals.SIGNAL_ERROR,
    huey_signals.SIGNAL_RETRYING,
    huey_signals.SIGNAL_EXPIRED,
    huey_signals.SIGNAL_REVOKED,
    huey_signals.SIGNAL_CANCELED,
    huey_signals.SIGNAL_TIMEOUT,
    huey_signals.SIGNAL_LOCKED,
    huey_signals.SIGNAL_RATE_LIMITED,
    huey_signals.SIGNAL_INTERRUPTED,
)
_started: dict[str, float] = {}


def watch_queues() -> None:
    """Count every queue's tasks: their outcome and how long they ran."""
    if not settings.METRICS_ENABLED:
        return
    for name in QUEUES:
        huey = queue(name)
        huey.signal(huey_signals.SIGNAL_EXECUTING)(_task_started)
        huey.signal(*_ENDINGS)(_task_ended(name))


def _task_started(signal: str, task: Any, *args: Any) -> None:
    _started[task.id] = time.perf_counter()


def _task_ended(queue_name: str) -> Any:
    def ended(signal: str, task: Any, *args: Any) -> None:
        TASKS.labels(queue_name, task.name, signal).inc()
        started = _started.pop(task.id, None)
        if started is not None:
            TASK_SECONDS.labels(queue_name, task.name).observe(time.perf_counter() - started)

    return ended


# --- the scrape ---------------------------------------------------------------------


class LiveFigures(Collector):
    """What /metrics reads when it is scraped: queue depths, the worker's heartbeat, and the
    business figures the periodic task cached."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "klustera_queue_depth", "Tasks waiting in each queue.", labels=["queue"]
        )
        for name in QUEUES:
            depth.add_metric([name], queue(name).pending_count())
        yield depth
        beat = last_heartbeat()
        if beat is not None:
            yield GaugeMetricFamily(
                "klustera_worker_heartbeat_age_seconds",
                "Seconds since the task scheduler last beat.",
                value=max(time.time() - beat, 0.0),
            )
        yield from business_families(cache.get(BUSINESS_FIGURES_KEY))


def business_families(figures: dict[str, Any] | None) -> Iterator[GaugeMetricFamily]:
    """The cached business figures: ``klustera_complex_*`` per complex and
    ``klustera_platform_*`` across them (never summed from the per-complex series, which would
    count a collection ratio wrongly)."""
    if not figures:
        return
    yield GaugeMetricFamily(
        "klustera_business_figures_age_seconds",
        "Seconds since the business figures were computed.",
        value=max(time.time() - float(figures["at"]), 0.0),
    )
    complexes = GaugeMetricFamily(
        "klustera_platform_complexes", "Complexes by status.", labels=["status"]
    )
    for status, count in sorted(figures["statuses"].items()):
        complexes.add_metric([status], count)
    yield complexes
    database_up = GaugeMetricFamily(
        "klustera_complex_database_up",
        "1 when the complex's database answered the last health check, 0 when it failed.",
        labels=["complex"],
    )
    for slug in sorted({*figures["complexes"], *figures["unreachable"]}):
        database_up.add_metric([slug], 0.0 if slug in figures["unreachable"] else 1.0)
    yield database_up
    backups = GaugeMetricFamily(
        "klustera_backup_last_success_timestamp_seconds",
        "When the last good backup of each complex (and of the platform: _platform) was taken; "
        "0: never.",
        labels=["complex"],
    )
    for slug, moment in sorted(figures.get("backups", {}).items()):
        backups.add_metric([slug], float(moment))
    yield backups
    drills = GaugeMetricFamily(
        "klustera_backup_drill_ok",
        "1 when the complex's last restore drill passed, 0 when it failed.",
        labels=["complex"],
    )
    for slug, ok in sorted(figures.get("drills", {}).items()):
        drills.add_metric([slug], 1.0 if ok else 0.0)
    yield drills
    for name, help_text in BUSINESS_FIGURES.items():
        per_complex = GaugeMetricFamily(f"klustera_complex_{name}", help_text, labels=["complex"])
        for slug, values in sorted(figures["complexes"].items()):
            per_complex.add_metric([slug], float(values[name]))
        yield per_complex
        yield GaugeMetricFamily(
            f"klustera_platform_{name}",
            f"{help_text} Across every active complex.",
            value=float(figures["total"][name]),
        )


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(LiveFigures())
    return registry


_REGISTRY: CollectorRegistry | None = None


def exposition() -> bytes:
    """Every process's figures added up, and the live ones, in Prometheus' text format."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _registry()
    return generate_latest(_REGISTRY)
