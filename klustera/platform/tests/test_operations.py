"""The operations page: queues, the last hour of the app's metrics, failing databases and
failed tasks with their retry — for platform operators only."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client
from huey.storage import MemoryStorage

from klustera.accounts.models import User
from klustera.observability.metrics import BUSINESS_FIGURES_KEY
from klustera.observability.models import FailedTask
from klustera.observability.operations import (
    SNAPSHOTS_KEY,
    last_hour,
    quantile,
    queue_states,
    read_metrics,
    snapshot_metrics,
)
from klustera.platform.tests.test_console import _admin
from klustera.tasks import platform_task, queue, tenant_task
from klustera.tenancy.context import platform_context, tenant_context

OUTCOME = {"fail": True}


@tenant_task("billing")
def _flaky(amount: int) -> int:
    if OUTCOME["fail"]:
        raise RuntimeError("gateway refused; call 081234567890")
    return amount


@platform_task("default")
def _platform_chore() -> None:
    raise ValueError("no")


@pytest.fixture
def stored_billing():
    """The billing queue holding its tasks, as with a worker that is behind."""
    huey = queue("billing")
    huey.immediate = False
    huey.storage = MemoryStorage("billing")
    try:
        yield huey
    finally:
        huey.immediate = True


def test_a_queue_tells_its_depth_and_its_oldest_waiting_task(tenant_a, stored_billing) -> None:
    with tenant_context(tenant_a):
        _flaky(1)
        _flaky(2)
    states = {s.name: s for s in queue_states(now=time.time() + 600)}
    assert states["billing"].depth == 2
    assert 595 < states["billing"].oldest_seconds < 660  # enqueued about ten minutes "ago"
    assert states["sms"].depth == 0 and states["sms"].oldest_seconds is None


def test_a_final_failure_is_kept_and_retried_once_from_the_page(tenant_a) -> None:
    OUTCOME["fail"] = True
    with tenant_context(tenant_a):
        _flaky(5)  # runs inline in tests, and fails
    failed = FailedTask.objects.get(task__endswith="_flaky")
    assert (failed.queue, failed.complex, failed.retried_at) == ("billing", "alpha", None)
    assert failed.error.startswith("RuntimeError: gateway refused")
    assert "081234567890" not in failed.error  # scrubbed like a log line
    _platform_chore()
    assert FailedTask.objects.get(task__endswith="_platform_chore").complex == ""

    admin = _admin()
    page = admin.get("/platform/operations/").content.decode()
    assert 'id="failed-tasks"' in page and f"/operations/tasks/{failed.pk}/retry" in page

    OUTCOME["fail"] = False  # its cause is fixed
    assert admin.post(f"/platform/operations/tasks/{failed.pk}/retry").status_code == 302
    failed.refresh_from_db()
    assert failed.retried_at is not None
    assert FailedTask.objects.filter(task__endswith="_flaky").count() == 1  # it ran, and passed
    again = admin.post(f"/platform/operations/tasks/{failed.pk}/retry", follow=True)
    assert "notice error" in again.content.decode()  # once only
    assert admin.post("/platform/operations/tasks/999999/retry").status_code == 404
    assert admin.get(f"/platform/operations/tasks/{failed.pk}/retry").status_code == 405


def test_p95_is_prometheus_histogram_quantile() -> None:
    buckets = {"0.1": 50.0, "0.5": 90.0, "1.0": 100.0, "+Inf": 100.0}
    assert quantile(0.95, buckets) == pytest.approx(0.75)  # halfway through 0.5 … 1.0
    assert quantile(0.5, buckets) == pytest.approx(0.1)
    assert quantile(0.95, {"0.1": 0.0, "2.0": 10.0, "+Inf": 100.0}) == 2.0  # beyond the last


def _reading(at: float, slow: float, fast: float, callbacks: dict[str, float]) -> dict:
    return {
        "at": at,
        "routes": {
            "GET api/v1/slow": {"0.5": fast, "2.0": fast, "5.0": slow, "+Inf": slow},
            "GET api/v1/fast": {"0.5": fast, "2.0": fast, "5.0": fast, "+Inf": fast},
        },
        "callbacks": callbacks,
    }


@pytest.mark.django_db
def test_the_last_hour_is_read_against_the_snapshot_of_an_hour_ago() -> None:
    now = time.time()
    cache.set(
        SNAPSHOTS_KEY,
        [
            _reading(now - 4000, 0, 0, {}),  # older than the window: ignored
            _reading(now - 3590, 100, 100, {"accepted": 100, "rejected": 0, "failed": 0}),
            _reading(now - 600, 150, 150, {"accepted": 150}),
        ],
    )
    hour = last_hour(
        now=_reading(now, 200, 120, {"accepted": 120 + 100, "rejected": 10, "failed": 8})
    )
    assert hour.since == pytest.approx(now - 3590)
    slow, fast = hour.routes
    # of the 100 slow requests in the hour, 80 took 2–5 s: its p95 falls in that bucket
    assert (slow.route, slow.requests) == ("GET api/v1/slow", 100)
    assert 2.0 < slow.p95_seconds <= 5.0
    assert (fast.route, fast.requests, fast.p95_seconds) == ("GET api/v1/fast", 20, 0.475)
    assert (hour.callbacks, hour.callbacks_failed) == (130, 18)
    assert hour.callback_failure_percent == pytest.approx(13.8)


@pytest.mark.django_db
def test_a_restart_counts_from_zero_rather_than_backwards() -> None:
    now = time.time()
    cache.set(SNAPSHOTS_KEY, [_reading(now - 1800, 500, 500, {})])
    hour = last_hour(now=_reading(now, 30, 30, {}))
    assert {r.route: r.requests for r in hour.routes} == {
        "GET api/v1/slow": 30,
        "GET api/v1/fast": 30,
    }


def test_a_request_reaches_the_snapshots(tenant_a) -> None:
    cache.delete(SNAPSHOTS_KEY)
    Client().get("/c/alpha/api/v1/invoices/1")  # refused: not signed in
    assert snapshot_metrics() == 1
    routes = read_metrics()["routes"]
    assert routes["GET api/v1/invoices/<int:pk>"]["+Inf"] >= 1


def test_the_page_shows_queues_the_hour_and_failing_databases(
    tenant_a, settings, monkeypatch
) -> None:
    now = time.time()
    cache.set(SNAPSHOTS_KEY, [_reading(now - 3500, 0, 0, {})])
    reading = _reading(now, 100, 0, {"accepted": 4})  # all 100 slow requests took 2–5 s
    monkeypatch.setattr("klustera.observability.operations.read_metrics", lambda: reading)
    cache.set(
        BUSINESS_FIGURES_KEY,
        {"at": time.time(), "unreachable": {"rusak": "TenantUnavailable"}, "complexes": {}},
    )
    admin = _admin()
    page = admin.get("/platform/operations/").content.decode()
    for name in ("default", "billing", "documents", "notifications", "email", "sms"):
        assert f"<code>{name}</code>" in page
    assert "rusak" in page and "TenantUnavailable" in page
    assert "GET api/v1/slow" in page and "4850 ms" in page  # p95 over 2 s: marked
    assert 'status-overdue">4850 ms' in page
    assert "Antrean" in page  # Indonesian by default

    settings.METRICS_ENABLED = False
    assert "METRICS_ENABLED=false" in admin.get("/platform/operations/").content.decode()


def test_only_platform_operators_see_operations(tenant_a) -> None:
    """The role matrix proves that nobody opens it on a complex's address."""
    failed = FailedTask.objects.create(queue="default", task="x", error="x", message=b"x")
    assert Client().get("/platform/operations/").status_code == 302  # to the sign-in
    assert Client().post(f"/platform/operations/tasks/{failed.pk}/retry").status_code == 302
    staff = Client()
    with platform_context():
        User.objects.create_user("081999000007", "pw-platform-3", name="Staff")
    staff.post("/login", {"username": "081999000007", "password": "pw-platform-3"})
    assert staff.get("/platform/operations/").status_code == 403
    assert staff.post(f"/platform/operations/tasks/{failed.pk}/retry").status_code == 403
    failed.refresh_from_db()
    assert failed.retried_at is None
