"""Backup benchmark: one complex with 2,000 units and 5 years of history, backed up and
restored on SQLite and on PostgreSQL; from those, the recovery time of one complex and of 100.

The history is 2,000 units × 60 monthly bills (each with its line), a payment for 19 of every
20 bills, and 100,000 gate decisions. Prints, per engine: the database's size, the backup's
time and encrypted size, the restore's time (decrypt, load, migrate, compare every table and
the ledger) with `klustera backup restore` as an operator runs it, and restores run two at a
time (this machine has two cores) from which 100 complexes' recovery time follows.

    python bench/backup.py [--units 2000] [--months 60] [--logs 100000] [--parallel 6]
        [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402

PG_PREFIX = "klustera_bench_backup_"
BATCH = 5_000


def fill(units: int, months: int, logs: int) -> dict[str, int]:
    """The complex's history, written in batches; the rows of each kind."""
    from klustera.access.models import AccessLog
    from klustera.billing.models import Invoice, InvoiceLine, Payment
    from klustera.estate.models import Unit

    Unit.objects.bulk_create(
        (Unit(block=f"B{n // 100:02d}", number=f"{n % 100:02d}", land_area=Decimal(90))
         for n in range(units)), batch_size=BATCH,
    )  # fmt: skip
    unit_ids = list(Unit.objects.values_list("pk", flat=True))
    fee = Decimal(250_000)
    start = date(2021, 12, 1)
    counts = {"invoices": 0, "payments": 0}
    for m in range(months):
        period = date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1)
        issued = datetime(period.year, period.month, 1, 1, tzinfo=UTC)
        paid = [(i + m) % 20 != 0 for i in range(len(unit_ids))]
        invoices = Invoice.objects.bulk_create(
            (Invoice(unit_id=unit, period=period, number=f"INV-{period:%Y%m}-{i:05d}",
                     status=Invoice.Status.PAID if paid[i] else Invoice.Status.OVERDUE,
                     due_on=period + timedelta(days=9), subtotal=fee, total=fee,
                     amount_paid=fee if paid[i] else Decimal(0),
                     paid_at=issued + timedelta(days=5) if paid[i] else None, issued_at=issued)
             for i, unit in enumerate(unit_ids)), batch_size=BATCH,
        )  # fmt: skip
        InvoiceLine.objects.bulk_create(
            (InvoiceLine(invoice=invoice, description="IPL", unit_price=fee, amount=fee)
             for invoice in invoices), batch_size=BATCH,
        )  # fmt: skip
        Payment.objects.bulk_create(
            (Payment(unit_id=invoice.unit_id, amount=fee, method=Payment.Method.QRIS,
                     receipt_number=f"RCP-{period:%Y%m}-{i:05d}", paid_at=invoice.paid_at,
                     for_invoice=invoice)
             for i, invoice in enumerate(invoices) if invoice.paid_at), batch_size=BATCH,
        )  # fmt: skip
        counts["invoices"] += len(invoices)
        counts["payments"] += sum(paid)
    first = datetime(2021, 12, 1, tzinfo=UTC)
    AccessLog.objects.bulk_create(
        (AccessLog(kind=AccessLog.Kind.RESIDENT_ENTRY, method=AccessLog.Method.QR_CODE,
                   result=AccessLog.Result.VALID, gate="Utama", unit_id=unit_ids[n % units],
                   at=first + timedelta(minutes=26 * n))
         for n in range(logs)), batch_size=BATCH,
    )  # fmt: skip
    counts["lines"] = counts["invoices"]
    counts["access logs"] = logs
    return counts


def restore_cli(slug: str, backup_id: str, into: str, identity: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "klustera", "backup", "restore", "--tenant", slug,
         "--backup", backup_id, "--into", into, "--identity", str(identity)],
        check=True, capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    return time.perf_counter() - started


def run(cluster: str, args: argparse.Namespace, identity: Path) -> None:
    from klustera.backups.services import take_backup
    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.models import Tenant
    from klustera.tenancy.services import NewManager, drop_database, provision_tenant

    tenant = provision_tenant(
        name=f"Bench {cluster}", slug=f"big-{cluster}", cluster=cluster,
        manager=NewManager(phone="081100000001", name="Manager", password="x-pass-123"),
    )  # fmt: skip
    started = time.perf_counter()
    with tenant_context(tenant):
        counts = fill(args.units, args.months, args.logs)
    print(f"\n{cluster}: {', '.join(f'{n:,} {k}' for k, n in counts.items())} "
          f"written in {time.perf_counter() - started:.0f} s")  # fmt: skip

    started = time.perf_counter()
    manifest = take_backup(tenant)
    backup_s = time.perf_counter() - started
    rows = sum(manifest["rows"].values())
    print(f"  backup : {backup_s:6.1f} s  {rows:,} rows → {manifest['size'] / 1e6:.1f} MB encrypted"
          f" (database {database_size(tenant) / 1e6:.1f} MB)")  # fmt: skip

    one = restore_cli(tenant.slug, manifest["id"], f"r-{cluster}-0", identity)
    print(f"  restore: {one:6.1f} s  (`klustera backup restore`: decrypt, load, migrate, compare)")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        times = list(pool.map(
            lambda n: restore_cli(tenant.slug, manifest["id"], f"r-{cluster}-{n}", identity),
            range(1, args.parallel + 1),
        ))  # fmt: skip
    wall = time.perf_counter() - started
    per = wall / args.parallel
    print(f"  {args.parallel} restores two at a time: {wall:.1f} s ({per:.1f} s each, "
          f"slowest {max(times):.1f} s) → 100 complexes ≈ {100 * per / 60:.0f} min")  # fmt: skip
    for restored in Tenant.objects.filter(slug__startswith=f"r-{cluster}-"):
        drop_database(restored)
    drop_database(tenant)


def database_size(tenant: object) -> int:
    from django.db import connections

    from klustera.tenancy.context import tenant_context
    from klustera.tenancy.databases import is_sqlite

    with tenant_context(tenant) as current:  # type: ignore[arg-type]
        from klustera.tenancy.connections import alias_for

        connection = connections[alias_for(current)]
        if is_sqlite(connection.settings_dict):
            return sum(  # the file and what its write-ahead log holds yet
                Path(current.db_name + suffix).stat().st_size
                for suffix in ("", "-wal")
                if Path(current.db_name + suffix).exists()
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--parallel", type=int, default=6)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    import pyrage

    key = pyrage.x25519.Identity.generate()
    with tempfile.TemporaryDirectory(prefix="klustera-bench-backup-") as tmp:
        var = Path(tmp)
        identity = var / "backup.key"
        identity.write_text(str(key))
        os.environ["BACKUP_TARGET_URL"] = f"file://{var / 'backups'}"
        os.environ["BACKUP_AGE_RECIPIENTS"] = str(key.to_public())
        drop_databases(PG_PREFIX)
        configure_in_process(var, pg_prefix=PG_PREFIX, tasks_immediate=True)
        print(f"Backup bench: {args.units:,} units, {args.months} months of bills and payments, "
              f"{args.logs:,} gate decisions; {os.cpu_count()} CPUs")  # fmt: skip
        try:
            for backend in args.backends.split(","):
                run("default" if backend == "sqlite" else "pg", args, identity)
        finally:
            drop_databases(PG_PREFIX)


if __name__ == "__main__":
    main()
