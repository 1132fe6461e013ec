"""Staff operations benchmark: 50 guards scanning checkpoints for an hour of night, and a
month of tasks from 200 templates, on PostgreSQL.

Provisions one complex on PostgreSQL with 12 checkpoints and 50 guards. Each guard walks an
hour of simulated night, compressed: a scan every two minutes of device time (30 each,
1,500 in all), sent as fast as the server answers through the whole middleware stack
(``POST /api/v1/staff/patrol/checkpoints``, 50 threads, each with its own connection), and
every fifth scan sent a second time, as an offline phone replays its outbox. Prints the
throughput, p50/p95/p99 of a scan, the rows stored and the replays answered with the stored
scan instead of a second row. Then 200 task templates (daily, weekdays, monthly and every
two hours through the night) make a month of tasks, day by day, as the hourly job does.

    python bench/operations.py [--guards 50] [--templates 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import time as clock
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402

PG_PREFIX = "klustera_bench_operations_"
PASSWORD = "x-pass-123"  # noqa: S105  (a throwaway complex)
SCANS_PER_GUARD, EVERY_MINUTES, REPLAY_EVERY = 30, 2, 5


def provision(guards: int) -> tuple[Any, list[str], list[str]]:
    """The complex, its checkpoints' tokens and one API token per guard."""
    from klustera.accounts.services import create_user, issue_token
    from klustera.operations.models import Checkpoint
    from klustera.operations.services import checkpoint_token
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    tenant = provision_tenant(
        name="Bench Operations",
        slug="bench-operations",
        cluster="pg",
        manager=NewManager(phone="081100000001", name="Manager", password=PASSWORD),
    )
    with tenant_context(tenant):
        checkpoints = [
            Checkpoint.objects.create(
                name=f"Pos {n}", latitude=Decimal("-6.26"), longitude=Decimal("106.78") + n
            )
            for n in range(12)
        ]
        stickers = [checkpoint_token(c) for c in checkpoints]
        tokens = []
        for n in range(guards):
            guard = create_user(
                phone=f"08130001{n:04d}", name=f"Satpam {n}", roles=[Role.SECURITY_STAFF]
            )
            tokens.append(issue_token(user=guard, device_name="hp")[0])
    return tenant, stickers, tokens


def scan_night(tenant: Any, stickers: list[str], tokens: list[str]) -> None:
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    from klustera.operations.models import PatrolScan
    from klustera.tenancy.context import tenant_context

    url = f"/c/{tenant.slug}/api/v1/staff/patrol/checkpoints"
    night = timezone.now() - timedelta(hours=1)
    latencies: list[float] = []
    answers: dict[int, int] = {}
    lock = threading.Lock()
    gate = threading.Barrier(len(tokens))

    def guard(index: int, token: str) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        mine: list[float] = []
        codes: dict[int, int] = {}
        try:
            gate.wait(timeout=60)
            for n in range(SCANS_PER_GUARD):
                body = {
                    "token": stickers[(index + n) % len(stickers)],
                    "scanned_at": (night + timedelta(minutes=EVERY_MINUTES * n)).isoformat(),
                    "client_id": str(uuid.uuid4()),
                    "latitude": "-6.260000",
                    "longitude": "106.780000",
                    "accuracy": 8,
                }
                for _ in range(2 if n % REPLAY_EVERY == 0 else 1):
                    started = time.perf_counter()
                    answer = client.post(url, body, content_type="application/json")
                    mine.append((time.perf_counter() - started) * 1000)
                    codes[answer.status_code] = codes.get(answer.status_code, 0) + 1
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)
                for code, count in codes.items():
                    answers[code] = answers.get(code, 0) + count

    threads = [threading.Thread(target=guard, args=(i, t)) for i, t in enumerate(tokens)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.perf_counter() - started
    with tenant_context(tenant):
        stored = PatrolScan.objects.count()
    cuts = statistics.quantiles(latencies, n=100)
    sent = len(latencies)
    print(
        f"{len(tokens)} guards, an hour of night each ({SCANS_PER_GUARD} scans, every"
        f" {REPLAY_EVERY}th sent twice): {sent:,} requests in {elapsed:.1f} s,"
        f" {sent / elapsed:.0f} scans/s"
    )
    print(
        f"  a scan: p50 {statistics.median(latencies):.1f} ms, p95 {cuts[94]:.1f} ms,"
        f" p99 {cuts[98]:.1f} ms"
    )
    print(
        f"  answers {dict(sorted(answers.items()))}; rows stored {stored:,}"
        f" (expected {len(tokens) * SCANS_PER_GUARD:,});"
        f" replays answered with the stored scan: {answers.get(200, 0):,}"
    )


def month_of_tasks(tenant: Any, templates: int) -> None:
    from django.utils import timezone

    from klustera.operations.models import Task, TaskTemplate
    from klustera.operations.services import generate_tasks
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context

    F = TaskTemplate.Frequency
    kinds: list[dict[str, Any]] = [
        {"frequency": F.DAILY},
        {"frequency": F.WEEKDAYS, "weekdays": [1, 3, 5]},
        {"frequency": F.MONTHLY, "day_of_month": 31},
        {"frequency": F.HOURLY, "every_hours": 2, "until": clock(6), "at": clock(22)},
    ]
    with tenant_context(tenant):
        first = timezone.localdate().replace(day=1)
        TaskTemplate.objects.bulk_create(
            TaskTemplate(
                title=f"Tugas {n}",
                queue=Role.CLEANING_STAFF,
                checklist=["Mulai", "Selesai"],
                starts_on=first,
                **{"at": clock(6 + n % 12), **kinds[n % len(kinds)]},
            )
            for n in range(templates)
        )
        days = [first + timedelta(days=n) for n in range(30)]
        times = []
        for day in days:
            started = time.perf_counter()
            generate_tasks(day=day)
            times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        again = sum(generate_tasks(day=day) for day in days)
        rerun = time.perf_counter() - started
        made = Task.objects.count()
    print(
        f"\nA month of tasks from {templates} templates: {made:,} tasks in"
        f" {sum(times) / 1000:.1f} s (a day: median {statistics.median(times):.0f} ms,"
        f" worst {max(times):.0f} ms); the month again makes {again} more in {rerun:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--guards", type=int, default=50)
    parser.add_argument("--templates", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="klustera-bench-") as var_dir:
        configure_in_process(Path(var_dir), pg_prefix=PG_PREFIX, tasks_immediate=False)
        drop_databases(PG_PREFIX)
        try:
            print("Staff operations benchmark: PostgreSQL, in process")
            tenant, stickers, tokens = provision(args.guards)
            scan_night(tenant, stickers, tokens)
            month_of_tasks(tenant, args.templates)
        finally:
            from django.db import connections

            connections.close_all()
            drop_databases(PG_PREFIX)


if __name__ == "__main__":
    main()
