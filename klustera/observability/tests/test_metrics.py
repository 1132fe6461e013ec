"""Prometheus metrics: never public, counted by route template and task, added up across
processes, with the business figures read from the cache at scrape time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from klustera.observability.gunicorn import child_exit
from klustera.tasks import tenant_task
from klustera.tenancy.context import tenant_context
from tests.metrics import sample

ROOT = Path(__file__).resolve().parents[3]


@tenant_task("documents")
def _explode() -> None:
    raise RuntimeError("a task that fails")


@tenant_task("documents")
def _fine() -> str:
    return "done"


@pytest.mark.django_db
def test_metrics_are_never_public(settings) -> None:
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_TOKEN = "scrape-token-123"
    refused = Client().get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"klustera_" not in refused.content
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    scraped = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123")
    assert scraped.status_code == 200
    assert scraped["Content-Type"].startswith("text/plain; version=")
    assert b'klustera_queue_depth{queue="sms"}' in scraped.content  # all six queues

    settings.METRICS_TOKEN = ""  # no token configured: an empty bearer never passes
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert Client().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    # a client cannot claim an allowed address when no proxy of ours stands in front
    spoofed = Client().get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert spoofed.status_code == 401


def test_a_request_is_counted_by_its_route_template_never_its_path(tenant_a) -> None:
    route = "api/v1/invoices/<int:pk>"  # the complex's prefix is not part of it
    labels = {"route": route, "method": "GET", "status_class": "4xx"}
    before = sample("klustera_http_request_duration_seconds_count", **labels)
    assert Client().get("/c/alpha/api/v1/invoices/987654").status_code == 401
    assert sample("klustera_http_request_duration_seconds_count", **labels) - before == 1
    scraped = Client().get("/metrics").content.decode()
    assert "987654" not in scraped and "alpha" not in scraped  # no ids, no raw paths
    odd = {"route": "<unmatched>", "method": "other", "status_class": "4xx"}
    before = sample("klustera_http_request_duration_seconds_count", **odd)
    Client().generic("BREW", "/no/such/page/4711")  # a client's own method is not a label
    assert sample("klustera_http_request_duration_seconds_count", **odd) - before == 1


def test_tasks_are_counted_by_queue_task_and_outcome(tenant_a) -> None:
    def count(task: object, outcome: str) -> float:
        name = f"{__name__}.{task.__name__}"  # type: ignore[attr-defined]
        return sample("klustera_tasks_total", queue="documents", task=name, outcome=outcome)

    before = (count(_fine, "complete"), count(_explode, "error"))
    with tenant_context(tenant_a):
        _fine()
        _fine()
        _explode()
    assert (count(_fine, "complete") - before[0], count(_explode, "error") - before[1]) == (2, 1)
    timed = sample(
        "klustera_task_duration_seconds_count", queue="documents", task=f"{__name__}._fine"
    )
    assert timed >= 2


PROCESS = """
import django
django.setup()
from klustera.observability.metrics import TASKS, observe_request
observe_request("c/<slug:complex>/api/v1/units", "GET", 200, 0.05)
observe_request("c/<slug:complex>/api/v1/units", "GET", 500, 1.5)
TASKS.labels("billing", "klustera.billing.tasks.run_billing", "complete").inc()
print(__import__("os").getpid())
"""


def test_two_processes_add_up_and_a_dead_one_keeps_its_counts(tmp_path, settings) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "klustera.settings",
        "KLUSTERA_VAR_DIR": str(tmp_path / "var"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    pids = [
        int(
            subprocess.run(
                [sys.executable, "-c", PROCESS],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            ).stdout.split()[-1]
        )
        for _ in range(2)
    ]
    settings.METRICS_DIR = tmp_path / "metrics"  # as in the gunicorn master of those two
    child_exit(None, SimpleNamespace(pid=pids[0]))  # gunicorn saw the first one go

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path / "metrics"))

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    route = "c/<slug:complex>/api/v1/units"
    assert (
        value(
            "klustera_http_request_duration_seconds_count",
            route=route,
            method="GET",
            status_class="2xx",
        )
        == 2
    )
    assert (
        value(
            "klustera_http_request_duration_seconds_count",
            route=route,
            method="GET",
            status_class="5xx",
        )
        == 2
    )
    assert (
        value(
            "klustera_tasks_total",
            queue="billing",
            task="klustera.billing.tasks.run_billing",
            outcome="complete",
        )
        == 2
    )
    # the live gauge counts the living only: one process's one thread, not two
    assert value("klustera_tenant_connections_bound") == settings.TENANT_CONNECTIONS_MAX


def test_metrics_switched_off_count_nothing_and_are_not_served(tenant_a, settings) -> None:
    settings.METRICS_ENABLED = False
    labels = {"route": "api/v1/invoices/<int:pk>", "method": "GET", "status_class": "4xx"}
    before = sample("klustera_http_request_duration_seconds_count", **labels)
    Client().get("/c/alpha/api/v1/invoices/1")
    assert sample("klustera_http_request_duration_seconds_count", **labels) == before
    assert Client().get("/metrics").status_code == 404
