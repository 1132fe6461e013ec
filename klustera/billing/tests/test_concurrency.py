"""Billing under concurrency, on PostgreSQL for real: runs at once, numbers without gaps.

The complex here is provisioned by the test itself, so its writes really
commit and the threads see each other's work through the database's locks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from klustera.accounts.models import User
from klustera.billing.models import Invoice, NumberSequence, Tariff
from klustera.billing.services import bill_unit, generate_invoices
from klustera.estate.models import Unit
from klustera.tenancy.context import tenant_context
from tests.concurrency import at_once

DEC = date(2026, 12, 1)
UNITS = 40


@pytest.fixture
def pg_complex(pg_scratch) -> Any:
    with tenant_context(pg_scratch):
        Unit.objects.bulk_create(Unit(block="K", number=f"{n:03d}") for n in range(UNITS))
        Tariff.objects.create(charge="IPL", rate=Decimal("250000"), effective_from=DEC)
    return pg_scratch


def _numbers(tenant: Any) -> list[int]:
    with tenant_context(tenant):
        return sorted(
            int(n.rsplit("/", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
        )


def test_two_runs_at_once_bill_every_unit_exactly_once(pg_complex) -> None:
    runs = at_once(pg_complex, [lambda: generate_invoices(period=DEC)] * 2)
    assert sum(run.created for run in runs) == UNITS
    assert all(run.created + run.skipped == UNITS and run.failed == 0 for run in runs)
    assert _numbers(pg_complex) == list(range(1, UNITS + 1))
    with tenant_context(pg_complex):
        assert NumberSequence.objects.get(kind="invoice", year=2026).last_number == UNITS
        assert Invoice.objects.values("unit").distinct().count() == UNITS


def test_numbers_stay_gapless_when_many_billat_once(pg_complex) -> None:
    with tenant_context(pg_complex):
        manager = User.objects.get()
        units = list(Unit.objects.order_by("number"))

    def bill(share: list[Unit]) -> Callable[[], int]:
        def job() -> int:
            for unit in share:
                bill_unit(unit=unit, period=DEC, actor=manager)
            return len(share)

        return job

    # Four clerks billing their own quarter of the units at the same time.
    shares = [units[i::4] for i in range(4)]
    jobs = [bill(share) for share in shares]
    results = at_once(pg_complex, jobs)
    assert sum(results) == UNITS
    assert _numbers(pg_complex) == list(range(1, UNITS + 1))


def test_one_invoices_pdf_stored_by_several_workers_at_once_is_one_whole_file(
    pg_complex, monkeypatch
) -> None:
    """Workers storing the same invoice at once used to delete each other's file."""
    from django.core.files.storage import default_storage

    from klustera.billing import documents

    # Rendered instantly, so that every worker reaches the storage at the same moment.
    monkeypatch.setattr(documents, "render_invoice", lambda invoice: b"%PDF-1.7 test")
    with tenant_context(pg_complex):
        generate_invoices(period=DEC)
        invoice = Invoice.objects.order_by("pk").first()
        assert invoice is not None
    for _round in range(5):
        at_once(pg_complex, [lambda: documents.store_invoice_pdf(invoice)] * 8)
    with tenant_context(pg_complex):
        stored = Invoice.objects.get(pk=invoice.pk).pdf
        folder = stored.name.rsplit("/", 1)[0]
        mine = invoice.number.replace("/", "-")
        files = [name for name in default_storage.listdir(folder)[1] if name.startswith(mine)]
        assert files == [f"{mine}.pdf"]  # no stray copy under another name
        assert stored.name == f"{folder}/{mine}.pdf"
        with stored.open("rb") as pdf:
            assert pdf.read() == b"%PDF-1.7 test"
