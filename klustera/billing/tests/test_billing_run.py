"""A month's billing run: right amounts, exactly once, numbered without gaps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from klustera.billing.models import BillingSettings, Invoice, NumberSequence, Tariff
from klustera.billing.services import generate_invoices, parse_period
from klustera.estate.models import Unit
from klustera.tenancy.context import tenant_context

DEC = date(2026, 12, 1)


@pytest.fixture
def estate(tenant_a):
    with tenant_context(tenant_a):
        Unit.objects.create(block="A", number="01", unit_type="house", land_area=Decimal("120"))
        Unit.objects.create(block="A", number="02", unit_type="house", land_area=Decimal("90.5"))
        Unit.objects.create(block="T", number="01", unit_type="studio", land_area=Decimal("36"))
        Tariff.objects.create(
            charge="IPL", basis="land_area", rate=Decimal("2500"), effective_from=date(2026, 1, 1)
        )
        Tariff.objects.create(
            charge="IPL",
            basis="flat",
            rate=Decimal("150000"),
            unit_type="studio",
            effective_from=date(2026, 1, 1),
        )
        Tariff.objects.create(
            charge="Sampah",
            basis="flat",
            rate=Decimal("25000"),
            is_taxable=False,
            effective_from=date(2026, 1, 1),
        )
    return tenant_a


def _invoices(tenant) -> dict[str, Invoice]:
    with tenant_context(tenant):
        return {
            str(i.unit): i for i in Invoice.objects.select_related("unit").prefetch_related("lines")
        }


def test_each_unit_is_billed_by_its_tariffs_with_whole_rupiah(estate) -> None:
    with tenant_context(estate):
        run = generate_invoices(period=DEC)
    assert (run.created, run.skipped, run.failed) == (3, 0, 0)
    invoices = _invoices(estate)
    assert invoices["A-01"].total == Decimal("325000")  # 120 m² × 2.500 + 25.000
    assert invoices["A-02"].total == Decimal("251250")  # 90,5 × 2.500 = 226.250 + 25.000
    assert invoices["T-01"].total == Decimal("175000")  # the studio tariff beats the m² one
    assert [line.description for line in invoices["A-01"].lines.all()] == [
        "IPL (120 m² × Rp 2.500)",
        "Sampah",
    ]
    assert invoices["A-01"].due_on == date(2026, 12, 10)


def test_numbers_are_gapless_per_year_and_a_second_run_creates_nothing(estate) -> None:
    with tenant_context(estate):
        generate_invoices(period=DEC)
        again = generate_invoices(period=DEC)
        numbers = sorted(Invoice.objects.values_list("number", flat=True))
        assert NumberSequence.objects.get(kind="invoice", year=2026).last_number == 3
    assert (again.created, again.skipped) == (0, 3)
    assert numbers == ["INV/2026/12/000001", "INV/2026/12/000002", "INV/2026/12/000003"]


def test_a_unit_that_cannot_be_billed_is_reported_and_uses_no_number(estate) -> None:
    with tenant_context(estate):
        Unit.objects.create(block="B", number="09", unit_type="house")  # no land area
        run = generate_invoices(period=DEC)
        assert sorted(Invoice.objects.values_list("number", flat=True))[-1] == "INV/2026/12/000003"
    assert (run.created, run.failed) == (3, 1)
    assert run.failures[0]["unit"] == "B-09" and "IPL" in run.failures[0]["error"]


def test_ppn_is_its_own_line_on_the_taxable_charges_only(estate) -> None:
    with tenant_context(estate):
        BillingSettings.objects.create(pk=1, tax_enabled=True)  # 12% on 11/12: effectively 11%
        generate_invoices(period=DEC)
    invoice = _invoices(estate)["A-01"]
    # 300.000 taxable × 91,667% × 12% = 33.000,12 → 33.000; the waste fee is not taxed.
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal(325000),
        Decimal(33000),
        Decimal(358000),
    )
    tax_line = [line for line in invoice.lines.all() if line.is_tax]
    assert len(tax_line) == 1 and tax_line[0].amount == Decimal(33000)


def test_a_tariff_change_applies_from_its_month_on(estate) -> None:
    with tenant_context(estate):
        Tariff.objects.filter(charge="Sampah").update(effective_to=date(2026, 6, 1))
        Tariff.objects.create(
            charge="Sampah",
            basis="flat",
            rate=Decimal("30000"),
            is_taxable=False,
            effective_from=date(2026, 7, 1),
        )
        generate_invoices(period=date(2026, 6, 1))
        generate_invoices(period=date(2026, 7, 1))
        june = Invoice.objects.get(unit__block="A", unit__number="01", period=date(2026, 6, 1))
        july = Invoice.objects.get(unit__block="A", unit__number="01", period=date(2026, 7, 1))
    assert july.total - june.total == Decimal(5000)


def test_periods_are_checked(tenant_a) -> None:
    with tenant_context(tenant_a):
        assert parse_period("2026-12") == DEC
        for bad in ("2026-13", "Desember", "2099-01", ""):
            with pytest.raises(ValidationError):
                parse_period(bad)


def test_the_billing_command_runs_a_complex(estate) -> None:
    out = StringIO()
    call_command("billing", "run", "--tenant", estate.slug, "--period", "2026-12", stdout=out)
    assert out.getvalue().startswith("alpha 2026-12: 3 created, 0 skipped, 0 failed")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("billing", "run", "--tenant", estate.slug, "--period", "12/2026")
    with pytest.raises(CommandError, match="nobody"):
        call_command("billing", "run", "--tenant", "nobody", "--period", "2026-12")
