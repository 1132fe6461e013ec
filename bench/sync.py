"""Offline sync benchmark: 20 guards' phones come back after an outage, each with 500 queued
entries, and all send them at once, on PostgreSQL.

Provisions one complex on PostgreSQL with guest codes, checkpoints and 20 guards. Each
phone's queue holds 500 entries from the outage: gate answers (a multi-use guest code let in,
an unknown code turned away) and patrol scans, with their device times. All 20 phones send
their queue in one ``POST /api/v1/sync`` at the same moment, through the whole middleware
stack (20 threads, each with its own connection); then each sends it again, as a phone that
never heard the answer would. Prints the time to drain, entries per second, the answers and
the rows stored twice (must be 0).

    python bench/sync.py [--devices 20] [--entries 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402

PG_PREFIX = "klustera_bench_sync_"
PASSWORD = "x-pass-123"  # noqa: S105  (a throwaway complex)


def provision(devices: int) -> tuple[Any, str, list[str], list[str]]:
    """The complex, a caterer's multi-use code, its checkpoints' stickers, one token a guard."""
    from django.utils import timezone

    from klustera.access.services import register_guest
    from klustera.accounts.services import create_user, issue_token
    from klustera.estate.models import Occupancy, Resident, Unit
    from klustera.operations.models import Checkpoint
    from klustera.operations.services import checkpoint_token
    from klustera.roles import Role
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    tenant = provision_tenant(
        name="Bench Sync",
        slug="bench-sync",
        cluster="pg",
        manager=NewManager(phone="081100000001", name="Manager", password=PASSWORD),
    )
    with tenant_context(tenant):
        host = create_user(phone="081100000002", name="Warga", roles=[Role.RESIDENT])
        unit = Unit.objects.create(number="A-01", land_area=100)
        resident = Resident.objects.create(name="Warga", phone=host.phone, user=host)
        Occupancy.objects.create(unit=unit, resident=resident, role="owner", start_on="2025-01-01")
        now = timezone.now()
        _, code = register_guest(
            host=host,
            unit=unit,
            guest_name="Katering",
            starts_at=now - timedelta(hours=12),
            ends_at=now + timedelta(hours=12),
            multi_use=True,
        )
        stickers = [
            checkpoint_token(Checkpoint.objects.create(name=f"Pos {n}", radius_m=30))
            for n in range(12)
        ]
        tokens = [
            issue_token(
                user=create_user(
                    phone=f"08130002{n:04d}", name=f"Satpam {n}", roles=[Role.SECURITY_STAFF]
                ),
                device_name="hp",
            )[0]
            for n in range(devices)
        ]
    return tenant, code, stickers, tokens


def queue_of(device: int, entries: int, code: str, stickers: list[str]) -> list[dict[str, Any]]:
    """What one phone queued over the outage: a gate answer or a scan every few seconds."""
    from django.utils import timezone

    outage = timezone.now() - timedelta(hours=6)
    queued: list[dict[str, Any]] = []
    for n in range(entries):
        at = (outage + timedelta(seconds=40 * n)).isoformat()
        entry: dict[str, Any] = {"client_id": str(uuid.uuid4())}
        if n % 5 == 4:
            entry.update(type="patrol_scan", token=stickers[n % len(stickers)], scanned_at=at)
        else:
            known = n % 4 != 3
            entry.update(
                type="gate_check",
                device_time=at,
                payload=code if known else "ZZZZ2222",
                answer="valid" if known else "invalid",
                gate=f"Pos {device % 3}",
            )
        queued.append(entry)
    return queued


def send_all(
    tenant: Any, tokens: list[str], queues: list[list[dict[str, Any]]]
) -> tuple[float, Counter[str], int]:
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    url = f"/c/{tenant.slug}/api/v1/sync"
    answers: Counter[str] = Counter()
    failures = 0
    lock = threading.Lock()
    gate = threading.Barrier(len(tokens))

    def phone(token: str, queue: list[dict[str, Any]]) -> None:
        nonlocal failures
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        body = {"sent_at": timezone.now().isoformat(), "device": "hp", "entries": queue}
        try:
            gate.wait(timeout=60)
            response = client.post(url, body, content_type="application/json")
            statuses = Counter(e["status"] for e in response.json()["data"]["entries"])
        except Exception:  # counted, then shown by the thread
            with lock:
                failures += 1
            raise
        finally:
            connections.close_all()
        with lock:
            answers.update(statuses)

    threads = [
        threading.Thread(target=phone, args=pair) for pair in zip(tokens, queues, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    return time.perf_counter() - started, answers, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="klustera-bench-") as var_dir:
        configure_in_process(Path(var_dir), pg_prefix=PG_PREFIX, tasks_immediate=False)
        drop_databases(PG_PREFIX)
        try:
            from klustera.access.models import AccessLog
            from klustera.operations.models import PatrolScan
            from klustera.tenancy.context import tenant_context

            print("Offline sync benchmark: PostgreSQL, in process")
            tenant, code, stickers, tokens = provision(args.devices)
            queues = [queue_of(n, args.entries, code, stickers) for n in range(args.devices)]
            total = args.devices * args.entries
            for label in ("after the outage", "sent again"):
                elapsed, answers, failures = send_all(tenant, tokens, queues)
                print(
                    f"{args.devices} phones x {args.entries} entries {label}: {total:,} entries"
                    f" drained in {elapsed:.1f} s, {total / elapsed:,.0f} entries/s;"
                    f" answers {dict(sorted(answers.items()))}; phones failed {failures}"
                )
            with tenant_context(tenant):
                rows = AccessLog.objects.count() + PatrolScan.objects.count()
            print(f"  rows stored {rows:,} for {total:,} entries: {rows - total} stored twice")
        finally:
            from django.db import connections

            connections.close_all()
            drop_databases(PG_PREFIX)


if __name__ == "__main__":
    main()
