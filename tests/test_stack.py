"""The scaled-out topology (`stack/`, `make stack`) comes up from Debian's own servers and
answers through nginx, and survives the failure drills: an app instance killed mid-load,
PgBouncer restarted, the replica stopped, one PostgreSQL cluster down, Redis down and back
with the queued tasks still there."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import REQUIRE_SERVICES
from stack import postgres, topology

WAIT = 60  # seconds anything may take to recover before the drill fails
PASSWORD = "klustera-demo-7"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _require() -> None:
    missing = [p for p in ("nginx", "pgbouncer", "redis-server") if not shutil.which(p)]
    if not postgres.available():
        missing.append("postgresql")
    if missing:
        message = f"the stack needs {', '.join(missing)} (apt-get install)"
        pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)


@pytest.fixture(scope="module")
def stack() -> Iterator[topology.Stack]:
    _require()
    root = Path(tempfile.mkdtemp(prefix="klustera-stack-", dir="/tmp"))
    made = topology.up(
        root,
        extra_env={
            "TENANT_CACHE_SECONDS": "1",
            # The drills measure the topology, not the rate limits (tested on their own).
            "RATE_LIMIT_IP": "1000000/min",
            "RATE_LIMIT_USER": "1000000/hour",
        },
    )
    try:
        for slug, cluster in (("taman-a", "default"), ("taman-b", "b")):
            made.klustera(
                "tenants", "create", "--name", slug, "--slug", slug, "--cluster", cluster,
                "--manager-phone", "081100000001", "--manager-password", PASSWORD,
            )  # fmt: skip
        yield made
    finally:
        made.down()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def managers(stack) -> dict[str, httpx.Client]:
    """Each complex's API through nginx, signed in once as its manager (sign-ins are limited)."""
    return {slug: _signed_in(stack, slug) for slug in ("taman-a", "taman-b")}


def _signed_in(stack: topology.Stack, slug: str) -> httpx.Client:
    """The complex's API through nginx, signed in as its manager, the notice accepted."""
    client = httpx.Client(base_url=f"{stack.url}/c/{slug}/api/v1/", timeout=30)
    signed_in = client.post(
        "auth/login", json={"phone": "081100000001", "password": PASSWORD, "device_name": "drill"}
    )
    assert signed_in.status_code == 200, signed_in.text
    client.headers["Authorization"] = f"Bearer {signed_in.json()['data']['access_token']}"
    version = client.get("privacy/notice").json()["data"]["version"]
    assert client.post("privacy/consent", json={"version": version}).status_code == 200
    return client


def _until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT} s"
        time.sleep(0.2)


def _status(client: httpx.Client, path: str) -> int:
    try:
        return client.get(path).status_code
    except httpx.TransportError:
        return 0


def test_the_stack_answers_through_nginx(stack, managers) -> None:
    ready = httpx.get(f"{stack.url}/readyz", headers={"X-Request-ID": "drill-0001"})
    assert ready.status_code == 200 and ready.headers["server"].startswith("nginx")
    assert ready.headers["x-request-id"] == "drill-0001"  # the proxy's id, logged and returned
    assert httpx.get(f"{stack.url}/readyz").headers["x-request-id"]  # nginx made one
    static = httpx.get(f"{stack.url}/static/klustera/portal.css")
    assert static.status_code == 200 and "immutable" in static.headers["cache-control"]
    for manager in managers.values():
        assert manager.get("units").status_code == 200
        assert manager.get("admin/reports/aging").status_code == 200  # a's from its replica


def test_files_live_in_the_bucket_every_instance_reads(stack, managers) -> None:
    manager = managers["taman-a"]
    made = manager.post("announcements", json={"title": "Kerja bakti", "body": "Terlampir."})
    assert made.status_code == 201, made.text
    added = manager.post(
        f"admin/announcements/{made.json()['data']['id']}/attachments",
        files={"files": ("Jadwal.pdf", PDF, "application/pdf")},
    )
    assert added.status_code == 201, added.text
    [attachment] = added.json()["data"]["attachments"]
    assert stack.objects is not None
    assert [key.split("/")[:3] for key in stack.objects.stored()] == [
        ["klustera", "taman-a", "attachment"]
    ]
    for _ in range(4):  # nginx spreads these over both instances: each reads the bucket
        served = manager.get(f"attachments/{attachment['id']}")
        assert served.status_code == 200 and served.content == PDF
    assert not list((stack.root / "var").rglob("*.pdf"))  # nothing on the local disk


def test_an_app_instance_killed_mid_load_is_routed_around(stack, managers) -> None:
    manager = managers["taman-a"]
    statuses: list[tuple[float, int]] = []
    stop = threading.Event()

    # A connection per request: nginx's reload closes idle kept-alive connections as its old
    # worker ends, which a browser retries and httpx does not; routing is what is measured.
    fresh = httpx.Limits(max_keepalive_connections=0)

    def load() -> None:
        with httpx.Client(
            base_url=str(manager.base_url), headers=manager.headers, limits=fresh
        ) as client:
            while not stop.is_set():
                statuses.append((time.monotonic(), _status(client, "auth/me")))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        _until(lambda: len(statuses) >= 40, "the load")
        victim = stack.apps[0]
        killed_at = time.monotonic()
        stack.stop_app(victim, kill=True)
        _until(lambda: victim.port in stack.balancer.out, "the health check taking it out")
        caught_at = time.monotonic()
        _until(lambda: sum(1 for at, _ in statuses if at > caught_at) >= 100, "more load")
    finally:
        stop.set()
        for thread in threads:
            thread.join(WAIT)
    gap = [code for at, code in statuses if killed_at <= at < caught_at]
    after = [code for at, code in statuses if at >= caught_at]
    print(f"\nkilled one of 2 instances: {len(gap)} requests in the gap, "
          f"{sum(c != 200 for c in gap)} failed; {len(after)} after, "
          f"{sum(c != 200 for c in after)} failed")  # fmt: skip
    assert after and all(code == 200 for code in after)
    stack.start_app(victim)
    _until(lambda: victim.port not in stack.balancer.out, "the instance coming back")


def _only_b_is_unavailable_while(managers, stop, start, what: str) -> None:  # type: ignore[no-untyped-def]
    """With cluster b's ``stop`` done, b's complex answers 503 and a's 200; after ``start``,
    b's answers again by itself."""
    stop()
    try:
        answer = managers["taman-b"].get("units")
        assert (answer.status_code, answer.json()["error"]["code"]) == (503, "TENANT_UNAVAILABLE")
        assert managers["taman-a"].get("units").status_code == 200
    finally:
        start()
    _until(lambda: _status(managers["taman-b"], "units") == 200, what)


def test_pgbouncer_restarted_fails_fast_with_503_and_recovers(stack, managers) -> None:
    pool = stack.pools["b"]
    _only_b_is_unavailable_while(managers, pool.stop, pool.start, "recovery after its restart")


def test_a_stopped_replica_leaves_reports_on_the_primary(stack, managers) -> None:
    manager = managers["taman-a"]
    assert stack.replica is not None
    stack.replica.stop()
    try:
        assert manager.get("admin/reports/aging").status_code == 200
        assert manager.get("admin/units/export").status_code == 200
    finally:
        stack.replica.start()


def test_one_cluster_down_only_its_complexes_are_unavailable(stack, managers) -> None:
    cluster = stack.clusters["b"]
    _only_b_is_unavailable_while(managers, cluster.stop, cluster.start, "cluster b's recovery")


def test_with_redis_down_the_api_serves_and_queued_tasks_survive_its_restart(
    stack, managers
) -> None:
    manager = managers["taman-a"]
    assert stack.redis is not None
    stack.stop_workers()
    try:
        anyone = httpx.Client(base_url=str(manager.base_url), timeout=30)
        asked = anyone.post("auth/otp/request", json={"phone": "081100000001"})
        assert asked.status_code in (200, 202), asked.text  # a code task is queued

        def pending() -> int:
            checks = httpx.get(f"{stack.url}/readyz").json()["checks"]
            return int(checks["queue"]["detail"]["pending"]["notifications"])

        assert pending() >= 1
        stack.redis.stop()  # SIGTERM: what it holds is on disk
        assert manager.get("auth/me").status_code == 200  # tokens from the database meanwhile
        assert manager.get("units").status_code == 200  # rate limits fail open
        stack.redis.start()
        _until(lambda: _status(manager, "units") == 200, "Redis back")
        assert pending() >= 1  # the queued code was kept
    finally:
        stack.start_workers()
    _until(lambda: pending() == 0, "the workers running what was queued")
