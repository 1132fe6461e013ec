"""Billing benchmark: one month's run for a complex of 10,000 units, and PDF throughput.

Creates a complex per backend (a SQLite file, a PostgreSQL database) with N
units, each with a billing contact, three tariffs (IPL per m² with PPN,
security and waste flat) and a few one-off charges, then times
``generate_invoices`` for one month (numbering, lines, tax, the queued PDF
and notification work) and a second, idempotent run of the same month.
Then renders and stores invoice PDFs one after the other, as one billing
worker does, and extrapolates to the whole month.

    python bench/billing.py [--units 10000] [--pdfs 300] [--backends sqlite,postgres]

Targets: the run under 10 s on PostgreSQL; 10,000 PDFs within 15 minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import configure_in_process, drop_databases  # noqa: E402

PG_PREFIX = "klustera_bench_billing_"


def build_complex(backend: str, units: int):  # type: ignore[no-untyped-def]
    from datetime import date
    from decimal import Decimal

    from klustera.accounts.models import User
    from klustera.billing.models import BillingSettings, OneOffCharge, Tariff
    from klustera.estate.models import Occupancy, Resident, Unit
    from klustera.tenancy.context import tenant_atomic, tenant_context
    from klustera.tenancy.services import NewManager, provision_tenant

    tenant = provision_tenant(
        name=f"Bench {backend}",
        slug=f"bench-{backend}",
        cluster={"sqlite": "default", "postgres": "pg"}[backend],
        max_units=units,
        manager=NewManager(phone="081100000001", name="Manager", password="x-pass-123"),
    )
    start = date(2026, 1, 1)
    with tenant_context(tenant), tenant_atomic():
        BillingSettings.objects.create(pk=1, tax_enabled=True)
        blocks = "ABCDEFGHJK"
        created = Unit.objects.bulk_create(
            Unit(
                block=blocks[i % len(blocks)],
                number=f"{i // len(blocks) + 1:04d}",
                land_area=Decimal(72 + (i % 5) * 24),
            )
            for i in range(units)
        )
        residents = Resident.objects.bulk_create(
            Resident(name=f"Warga {i}", phone=f"+62813{i:08d}", email=f"warga{i}@example.id")
            for i in range(units)
        )
        Occupancy.objects.bulk_create(
            Occupancy(unit=u, resident=r, role="owner", start_on=start, is_billing_contact=True)
            for u, r in zip(created, residents, strict=True)
        )
        Tariff.objects.create(charge="IPL", basis="land_area", rate=2500, effective_from=start)
        Tariff.objects.create(charge="Keamanan", rate=50000, is_taxable=False, effective_from=start)
        Tariff.objects.create(charge="Sampah", rate=25000, is_taxable=False, effective_from=start)
        OneOffCharge.objects.bulk_create(
            OneOffCharge(unit=u, period=date(2026, 11, 1), description="Kartu akses", amount=75000)
            for u in created[:: max(units // 50, 1)]
        )
        manager = User.objects.get()
    return tenant, manager


def bench_backend(backend: str, units: int, pdfs: int) -> None:
    from datetime import date

    from klustera.billing.documents import store_invoice_pdf
    from klustera.billing.models import Invoice
    from klustera.billing.services import generate_invoices
    from klustera.formatting import rupiah
    from klustera.tasks import queue
    from klustera.tenancy.context import tenant_context

    tenant, manager = build_complex(backend, units)
    queues = [queue("billing"), queue("documents")]
    queued_before = sum(q.pending_count() for q in queues)
    with tenant_context(tenant):
        started = time.perf_counter()
        run = generate_invoices(period=date(2026, 11, 1), actor=manager)
        run_s = time.perf_counter() - started
        started = time.perf_counter()
        again = generate_invoices(period=date(2026, 11, 1), actor=manager)
        again_s = time.perf_counter() - started
        total = sum(Invoice.objects.values_list("total", flat=True))
        print(f"{backend}: {units:,} units billed for 2026-11")
        print(
            f"  run: {run.created:,} invoices in {run_s:.2f} s "
            f"({run.created / run_s:,.0f} invoices/s), failed {run.failed}; billed {rupiah(total)}"
        )
        print(
            f"  second run: {again.skipped:,} skipped, {again.created} created in {again_s:.2f} s"
        )
        queued = sum(q.pending_count() for q in queues) - queued_before
        print(f"  queued for the workers: {queued} tasks (PDFs and messages, per batch)")

        if not pdfs:
            return
        sample = list(Invoice.objects.select_related("unit").order_by("pk")[:pdfs])
        started = time.perf_counter()
        for invoice in sample:
            store_invoice_pdf(invoice)
        pdf_s = time.perf_counter() - started
        rate = len(sample) / pdf_s
        print(
            f"  PDFs: {len(sample)} rendered and stored in {pdf_s:.1f} s on one worker: "
            f"{rate:.1f} PDFs/s; {units:,} would take {units / rate / 60:.1f} min "
            f"(two worker processes: {units / rate / 120:.1f} min)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--pdfs", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="klustera-bench-billing-") as var_dir:
        configure_in_process(Path(var_dir), pg_prefix=PG_PREFIX, tasks_immediate=False)
        for backend in args.backends.split(","):
            if backend == "postgres":
                drop_databases(PG_PREFIX)
            try:
                bench_backend(backend, args.units, args.pdfs)
            finally:
                if backend == "postgres":
                    from django.db import connections

                    connections.close_all()
                    drop_databases(PG_PREFIX)


if __name__ == "__main__":
    main()
