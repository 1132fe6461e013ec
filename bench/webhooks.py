"""Webhook benchmark: 1,000 Xendit callbacks, 20% duplicates, shuffled, against a live server.

Serves the app with gunicorn (gthread 2x4, production settings, PostgreSQL,
Redis queues) and a ``klustera worker``, with the Xendit simulator in this
process. Creates 800 invoices and a checkout for each through the app's own
code, has the simulator "pay" all of them, then posts the 800 callbacks plus
200 duplicates in random order from 16 threads to the callback URL. Prints
callbacks/s with p50/p95, the time until the worker has processed them all,
and the count of double credits, which must be 0.

    python bench/webhooks.py [--payments 800] [--duplicates 200] [--threads 16]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import (  # noqa: E402
    create_database,
    drop_databases,
    production_environment,
    start_server,
)

PREFIX = "klustera_bench_hooks_"
PORT = 8766
SECRET, TOKEN = "xnd_development_bench", "bench-callback-token"


def environment(var_dir: str, simulator_url: str) -> dict[str, str]:
    return {
        **production_environment(var_dir, prefix=PREFIX, redis_db=13),
        "XENDIT_API_URL": simulator_url,
    }


def seed(payments: int, simulator) -> list[bytes]:  # type: ignore[no-untyped-def]
    """The complex, its invoices and checkouts; returns the callbacks the simulator made."""
    from datetime import date
    from decimal import Decimal

    from django.core.management import call_command

    from klustera.accounts.models import User
    from klustera.billing.models import Invoice, Tariff
    from klustera.billing.services import generate_invoices
    from klustera.estate.models import Unit
    from klustera.payments.services import start_payment, update_xendit_account
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    call_command("migrate", database="default", verbosity=0)
    tenant = provision_tenant(
        name="Bench",
        slug="bench",
        max_units=payments,
        manager=NewManager(phone="081100000001", name="Manager", password="x-pass-123"),
    )
    bodies: list[bytes] = []
    simulator.send = lambda url, headers, body: bodies.append(body) or 200
    with tenant_context(tenant):
        manager = User.objects.get()
        Unit.objects.bulk_create(Unit(block="B", number=f"{n:04d}") for n in range(payments))
        Tariff.objects.create(charge="IPL", rate=Decimal(250000), effective_from=date(2026, 1, 1))
        generate_invoices(period=date(2026, 11, 1))
        update_xendit_account(
            changes={"secret_key": SECRET, "callback_token": TOKEN}, actor=manager
        )
        for invoice in Invoice.objects.all():
            attempt = start_payment(invoice=invoice, user=manager)
            simulator.pay(attempt.gateway_id, channel=random.choice(["QRIS", "OVO", "DANA"]))
    return bodies


def post_all(url: str, bodies: list[bytes], threads: int) -> list[float]:
    latencies: list[float] = []
    failures: list[int] = []
    queue = list(bodies)
    lock = threading.Lock()

    def work() -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                started = time.perf_counter()
                answer = client.post(
                    url,
                    content=body,
                    headers={"Content-Type": "application/json", "x-callback-token": TOKEN},
                )
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if answer.status_code != 200:
                        failures.append(answer.status_code)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not failures, f"non-200 answers: {failures[:5]}"
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=800)
    parser.add_argument("--duplicates", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()

    drop_databases(PREFIX)
    create_database(PREFIX + "platform")
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/13").flushdb()
    from klustera.payments.simulator import Account, XenditSimulator, serve

    simulator = XenditSimulator(synchronous=True)
    with (
        tempfile.TemporaryDirectory(prefix="klustera-bench-hooks-") as var_dir,
        serve(simulator) as simulator_url,
    ):
        env = environment(var_dir, simulator_url)
        os.environ.update(env)
        import django

        django.setup()
        callback = f"http://127.0.0.1:{PORT}/c/bench/api/v1/payments/xendit/callback"
        simulator.accounts.append(Account(SECRET, TOKEN, callback))
        started = time.perf_counter()
        bodies = seed(args.payments, simulator)
        print(f"Seeded {len(bodies)} paid checkouts in {time.perf_counter() - started:.1f} s")
        shuffled = bodies + random.choices(bodies, k=args.duplicates)
        random.shuffle(shuffled)

        klustera = [sys.executable, "-m", "klustera"]
        server = start_server(env, PORT)
        worker = subprocess.Popen([*klustera, "worker", "--no-periodic"], env=env)
        try:
            started = time.perf_counter()
            latencies = post_all(callback, shuffled, args.threads)
            sent_s = time.perf_counter() - started
            report(args, shuffled, latencies, sent_s, started)
        finally:
            server.terminate()
            worker.terminate()
            server.wait(timeout=30)
            worker.wait(timeout=30)
            from django.db import connections

            connections.close_all()
            drop_databases(PREFIX)


def report(args, shuffled, latencies, sent_s, started) -> None:  # type: ignore[no-untyped-def]
    from django.db.models import Count

    from klustera.billing.models import Invoice, Payment
    from klustera.payments.models import CallbackEvent
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.models import Tenant

    latencies.sort()
    print(
        f"Callbacks: {len(shuffled)} ({args.duplicates} duplicates, shuffled) from "
        f"{args.threads} threads to gunicorn gthread 2x4, production settings, PostgreSQL"
    )
    print(
        f"  answered in {sent_s:.1f} s: {len(shuffled) / sent_s:,.0f} callbacks/s, "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms"
    )
    with tenant_context(Tenant.objects.get(slug="bench")):
        waiting = len(shuffled)
        while waiting and time.perf_counter() - started < 900:
            time.sleep(0.5)
            waiting = CallbackEvent.objects.filter(status=CallbackEvent.Status.RECEIVED).count()
        done_s = time.perf_counter() - started
        doubles = Payment.objects.values("attempt").annotate(n=Count("id")).filter(n__gt=1).count()
        paid = Invoice.objects.filter(status="paid").count()
        print(
            f"  processed by the worker (confirmed with Xendit, booked) {done_s:.1f} s after the "
            f"first: {paid}/{args.payments} invoices paid, {Payment.objects.count()} payments"
        )
        print(f"  double credits: {doubles}")


if __name__ == "__main__":
    main()
