"""Privacy and audit benchmark: a resident's copy of ten years of their data, appending to a
complex's hash-chained audit trail, and ``klustera audit verify`` over 1,000,000 entries.

Export: a resident with 10 years of history (120 invoices and 120 payments with their PDFs,
500 gate log entries, 50 complaints with a photo each, their messages) and a neighbour; the
ZIP is written as the queue writes it: seconds, its size, and the peak of Python memory (it
must not grow with the history: rows are streamed, files copied in chunks).

Provisions one complex on PostgreSQL and one on SQLite. On each it appends entries through
``record()`` (the chain's head locked, the hash computed, the head moved: p50/p95 per entry),
then writes the rest of the trail in bulk with the same chain functions, and verifies the
whole chain as the command does, streamed: seconds, entries per second, and the peak of
Python memory while verifying (it must not grow with the trail).

    python bench/privacy.py [--part all|export|audit] [--entries 1000000] [--appends 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
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
                actor_label="user 1",
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


def history(years: int = 10) -> Any:
    """A resident of unit A-01 with ``years`` of history; returns their user."""
    import io
    import random

    from django.core.files.base import ContentFile
    from django.utils import timezone
    from PIL import Image

    from klustera.access.models import AccessLog
    from klustera.accounts.services import create_user
    from klustera.billing.models import Invoice, Payment
    from klustera.estate.models import Occupancy, Resident, Unit
    from klustera.helpdesk.models import Category, Ticket, TicketPhoto
    from klustera.notifications.models import Message
    from klustera.roles import Role

    rng = random.Random(23)
    unit = Unit.objects.create(block="A", number="01")
    user = create_user(
        phone="081200000123",
        name="Siti Sepuluh Tahun",
        email="siti@contoh.id",
        password=PASSWORD,
        roles=[Role.RESIDENT],
    )
    resident = Resident.objects.create(name=user.name, phone=user.phone, user=user)
    Occupancy.objects.create(unit=unit, resident=resident, role="owner", start_on="2016-01-01")
    pdf = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(30_000))  # an invoice's size
    photo = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(photo, "JPEG", quality=80)
    now = timezone.now()
    for month in range(years * 12):
        when = now - timedelta(days=30 * month)
        year, index = divmod(now.year * 12 + now.month - 1 - month, 12)
        invoice = Invoice.objects.create(
            unit=unit,
            period=date(year, index + 1, 1),
            number=f"INV/{month}",
            due_on=when.date(),
            subtotal=250000,
            total=250000,
            amount_paid=250000,
            status="paid",
            issued_at=when,
        )
        invoice.pdf.save(f"inv{month}.pdf", ContentFile(pdf), save=True)
        payment = Payment.objects.create(
            unit=unit,
            amount=250000,
            method="qris",
            receipt_number=f"RCP/{month}",
            paid_at=when,
        )
        payment.receipt_pdf.save(f"rcp{month}.pdf", ContentFile(pdf), save=True)
        Message.objects.create(
            recipient=user,
            to_name=user.name,
            to_address=user.phone,
            channel="whatsapp",
            category="billing",
            template="invoice_issued",
            context={"name": user.name},
            next_attempt_at=when,
            status="delivered",
        )
    AccessLog.objects.bulk_create(
        AccessLog(
            kind="resident",
            method="qr",
            result="allowed",
            gate="Utama",
            plate="B1234SIT",
            unit=unit,
            resident=resident,
            at=now - timedelta(days=7 * i),
        )
        for i in range(500)
    )
    category = Category.objects.create(name="Air")
    for i in range(50):
        ticket = Ticket.objects.create(
            category=category,
            unit=unit,
            title=f"Keluhan {i}",
            description="Pipa bocor " * 20,
            reporter=user,
            filed_by=user,
            response_due=now,
            resolution_due=now,
        )
        TicketPhoto.objects.create(
            ticket=ticket,
            kind="problem",
            added_by=user,
            image=ContentFile(photo.getvalue(), name="p.jpg"),
            thumbnail=ContentFile(photo.getvalue()[:20_000], name="t.jpg"),
        )
    return user


def export(user: Any) -> tuple[float, float, float, int]:
    """Seconds, ZIP size (MB), peak Python memory (MB) and rows of one resident's copy."""
    from klustera.privacy.services import Subject, write_export

    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        start = time.perf_counter()
        counts = write_export(Subject.of(user), out)
        seconds = time.perf_counter() - start
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = out.tell()
    return seconds, size / 1e6, peak / 1e6, sum(counts.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "export", "audit"], default="all")
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
                    if args.part in ("all", "export"):
                        seconds, size, peak, rows = export(history())
                        print(
                            f"{engine}: export of 10 years ({rows:,} rows, 340 files): "
                            f"{seconds:.2f} s, ZIP {size:.1f} MB, peak Python memory {peak:.1f} MB"
                        )
                    if args.part == "export":
                        continue
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
