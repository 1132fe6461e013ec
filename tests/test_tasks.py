"""Background tasks always run for the tenant that enqueued them."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from huey.api import Huey
from huey.storage import BaseStorage, RedisStorage, SqliteStorage

from klustera.estate.models import Unit
from klustera.tasks import QUEUES, declared, enqueue, queue, run_for_tenant, tenant_task
from klustera.tenancy.context import tenant_atomic, tenant_context
from klustera.tenancy.errors import NoTenantSelected
from klustera.tenancy.models import Tenant


@tenant_task("billing")
def add_unit(number: str) -> str:
    unit = Unit.objects.create(block="T", number=number)
    return str(unit)


def _units(tenant: Tenant) -> list[str]:
    with tenant_context(tenant):
        return [str(u) for u in Unit.objects.filter(block="T")]


def test_enqueueing_tenant_work_without_a_tenant_is_refused(tenant_a) -> None:
    with pytest.raises(NoTenantSelected):
        add_unit("1")
    assert _units(tenant_a) == []


def test_a_task_is_enqueued_by_its_name_for_the_current_tenant(tenant_a, tenant_b) -> None:
    with tenant_context(tenant_a):
        enqueue("tests.test_tasks.add_unit", "8", on_commit=False)
    assert _units(tenant_a) == ["T-8"] and _units(tenant_b) == []
    assert declared("klustera.billing.tasks.run_billing").func.__name__ == "run_billing"
    with pytest.raises(KeyError):
        declared("klustera.billing.tasks.no_such_task")


def test_unknown_queue_names_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown queue"):
        queue("payments-but-misspelt")
    assert set(QUEUES) == {"default", "billing", "documents", "notifications", "email", "sms"}


def test_work_of_a_suspended_tenant_is_dropped(tenant_a) -> None:
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.SUSPENDED)
    assert run_for_tenant(tenant_a.slug, add_unit.func, "9") is None
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.ACTIVE)
    assert _units(tenant_a) == []


def test_on_commit_enqueues_only_after_the_transaction_commits(tenant_a, tenant_b) -> None:
    from django.db import transaction

    with tenant_context(tenant_a):
        try:
            with tenant_atomic():
                add_unit.on_commit("rolled-back")
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert _units(tenant_a) == []
    with tenant_context(tenant_a), tenant_atomic():
        add_unit.on_commit("7")
        assert _units(tenant_a) == []  # not yet: still inside the transaction
    # pytest-django wraps the test in a transaction, so run the captured callbacks.
    from klustera.tenancy.connections import alias_for

    connection = transaction.get_connection(alias_for(tenant_a))
    for _, callback, _ in connection.run_on_commit:
        callback()
    connection.run_on_commit = []
    assert _units(tenant_a) == ["T-7"]
    assert _units(tenant_b) == []


@contextmanager
def stored_queue(name: str, storage: BaseStorage) -> Iterator[Huey]:
    """The real named queue, with tasks going through ``storage`` instead of running inline."""
    huey = queue(name)
    huey.immediate = False
    huey.storage = storage
    try:
        yield huey
    finally:
        storage.flush_all()
        huey.immediate = True


def _enqueue_for_both_then_work(huey: Huey, tenant_a: Tenant, tenant_b: Tenant) -> None:
    with tenant_context(tenant_a):
        add_unit("A1")
    with tenant_context(tenant_b):
        add_unit("B1")
    assert huey.pending_count() == 2
    assert _units(tenant_a) == [] and _units(tenant_b) == []
    # A worker dequeues outside any tenant, as the real consumer does.
    results = []
    while (task := huey.dequeue()) is not None:
        results.append(huey.execute(task))
    assert sorted(results) == ["T-A1", "T-B1"]
    assert _units(tenant_a) == ["T-A1"]
    assert _units(tenant_b) == ["T-B1"]


def test_tasks_round_trip_through_the_sqlite_queue(tmp_path: Path, tenant_a, tenant_b) -> None:
    storage = SqliteStorage("billing", filename=str(tmp_path / "q.sqlite3"))
    with stored_queue("billing", storage) as huey:
        _enqueue_for_both_then_work(huey, tenant_a, tenant_b)


@pytest.mark.services
def test_tasks_round_trip_through_redis(tenant_a, tenant_b) -> None:
    from conftest import REDIS_URL, need

    need("redis")
    storage = RedisStorage(f"klustera-test-{os.getpid()}", url=REDIS_URL)
    with stored_queue("billing", storage) as huey:
        _enqueue_for_both_then_work(huey, tenant_a, tenant_b)


def _start_worker(tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "KLUSTERA_VAR_DIR": str(tmp_path), "REDIS_URL": ""}
    # No periodic scheduler: a minute boundary during the test would run the sweeps
    # against this empty var directory and fill the pipes with their errors.
    worker = subprocess.Popen(
        [sys.executable, "-m", "klustera", "worker", "--workers", "1", "--no-periodic"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    # Never hang the suite: wait for the first line for at most a minute.
    ready, _, _ = select.select([worker.stdout], [], [], 60)
    assert ready, "the worker printed nothing within a minute"
    line = worker.stdout.readline()
    assert "Worker consuming default, billing, documents, notifications, email, sms" in line
    return worker


def _stop(worker: subprocess.Popen[str], within: float) -> tuple[str, str]:
    worker.send_signal(signal.SIGTERM)
    try:  # reads both pipes while waiting, so a chatty worker cannot block on them
        return worker.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        worker.kill()
        _out, errors = worker.communicate(timeout=10)
        pytest.fail(f"the worker did not stop within {within} s of SIGTERM:\n{errors[-2000:]}")


def test_the_worker_command_starts_and_stops_cleanly(tmp_path: Path) -> None:
    worker = _start_worker(tmp_path)
    out, errors = _stop(worker, within=30)
    assert worker.returncode == 0, errors[-2000:]
    assert "Worker stopped." in out


def test_the_worker_stops_within_its_bound_on_a_loaded_machine(tmp_path: Path) -> None:
    burners = [  # every core busy, as on a loaded server
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        worker = _start_worker(tmp_path)
        _out, errors = _stop(worker, within=30 + 15)  # WORKER_STOP_SECONDS and a margin
        assert worker.returncode == 0, errors[-2000:]
    finally:
        for burner in burners:
            burner.kill()
            burner.wait(timeout=10)


def test_a_task_that_outlasts_the_stop_is_cut_short_not_waited_for() -> None:
    from klustera.observability.management.commands.worker import stop_consumers

    released = threading.Event()
    stop_flag = threading.Event()
    scheduler = threading.Thread(target=stop_flag.wait, name="scheduler", daemon=True)
    idle = threading.Thread(target=stop_flag.wait, name="idle-worker", daemon=True)
    stuck = threading.Thread(target=released.wait, name="busy-worker", daemon=True)  # a task
    for thread in (scheduler, idle, stuck):
        thread.start()
    consumer = SimpleNamespace(
        stop_flag=stop_flag, scheduler=scheduler, worker_threads=[(None, idle), (None, stuck)]
    )
    try:
        assert stop_consumers([consumer], within=0.5) == ["busy-worker"]  # type: ignore[list-item]
        assert stop_flag.is_set() and not idle.is_alive() and not scheduler.is_alive()
    finally:
        released.set()
