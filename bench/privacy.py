"""Privacy and audit benchmark: appending to a complex's hash-chained audit trail, and
``klustera audit verify`` over a trail of 1,000,000 entries.

Provisions one complex on PostgreSQL and one on SQLite. On each it appends entries through
``record()`` (the chain's head locked, the hash computed, the head moved: p50/p95 per entry),
then writes the rest of the trail in bulk with the same chain functions, and verifies the
whole chain as the command does, streamed: seconds, entries per second, and the peak of
Python memory while verifying (it must not grow with the trail).

    python bench/privacy.py [--entries 1000000] [--appends 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402

PG_PREFIX = "klustera_bench_privacy_"
PASSWORD = "x-pass-123"  # noqa: S105  (a throwaway complex)
BATCH = 10_000


def provision(slug: str, cluster: str) -> Any:
    from klustera.tenancy.services import NewManager, provision_tenant

    return provision_tenant(
        name=f"Bench {slug}",
        slug=slug,
        cluster=cluster,
        manager=NewManager(phone="081100000001", name="Manager", password=PASSWORD),
    )


def appends(n: int) -> list[float]:
    """``n`` entries through ``record()``, each in its own transaction; their times in ms."""
    from klustera.audit.services import record

    times = []
    for i in range(n):
        start = time.perf_counter()
        record(actor=None, action="invoice.issued", invoice=i, amount="250000", unit="A-01")
        times.append((time.perf_counter() - start) * 1000)
    return times


def fill(total: int) -> None:
    """The trail up to ``total`` entries, chained as ``record()`` chains them, in bulk."""
    from django.utils import timezone

    from klustera.audit.chain import hash_of
    from klustera.audit.models import AuditEntry, ChainHead
    from klustera.tenancy.context import tenant_atomic

    head = ChainHead.objects.get(pk=1)
    seq, previous = head.seq, head.hash
    start = timezone.now() - timedelta(days=3650)
    while seq < total:
        rows = []
        for _ in range(min(BATCH, total - seq)):
            seq += 1
            entry = AuditEntry(
                actor_label="Manager (+6281100000001)",
                action="payment.booked",
                target_type="billing.payment",
                target_id=str(seq),
                details={"amount": "250000", "method": "qris", "unit": f"A-{seq % 400:03d}"},
                created_at=start + timedelta(seconds=seq * 300),
                seq=seq,
                prev_hash=previous,
            )
            entry.hash = hash_of(entry)
            previous = entry.hash
            rows.append(entry)
        with tenant_atomic():
            AuditEntry.objects.bulk_create(rows)
            ChainHead.objects.filter(pk=1).update(seq=seq, hash=previous)


def verify() -> tuple[float, int, float]:
    """Seconds, entries checked, and the peak of Python memory (MB) while verifying."""
    from klustera.audit.services import verify_trail

    tracemalloc.start()
    start = time.perf_counter()
    verdict = verify_trail()
    seconds = time.perf_counter() - start
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert verdict.intact, verdict
    return seconds, verdict.checked, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=2000)
    args = parser.parse_args()
    drop_databases(PG_PREFIX)
    with tempfile.TemporaryDirectory() as var:
        configure_in_process(Path(var), pg_prefix=PG_PREFIX, tasks_immediate=True)
        from klustera.tenancy.context import tenant_context

        try:
            for engine, cluster in (("PostgreSQL", "pg"), ("SQLite", "default")):
                tenant = provision(f"bench-privacy-{cluster}", cluster)
                with tenant_context(tenant):
                    times = appends(args.appends)
                    cuts = statistics.quantiles(times, n=20)
                    print(
                        f"{engine}: record() {args.appends} entries: "
                        f"p50 {statistics.median(times):.2f} ms, p95 {cuts[18]:.2f} ms"
                    )
                    started = time.perf_counter()
                    fill(args.entries)
                    print(
                        f"{engine}: trail filled to {args.entries:,} entries in "
                        f"{time.perf_counter() - started:.0f} s (bulk, not measured)"
                    )
                    seconds, checked, peak = verify()
                    print(
                        f"{engine}: audit verify, {checked:,} entries: {seconds:.1f} s, "
                        f"{checked / seconds:,.0f} entries/s, peak Python memory {peak:.1f} MB"
                    )
        finally:
            from django.db import connections

            connections.close_all()
            drop_databases(PG_PREFIX)


if __name__ == "__main__":
    main()
