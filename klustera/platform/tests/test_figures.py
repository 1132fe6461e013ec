"""The business figures on /metrics: computed by the periodic task into the cache, read at
scrape time without opening a complex's database."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from klustera.accounts.models import User
from klustera.billing.models import Invoice
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.platform.tasks import refresh_business_figures
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


def _scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = Client().get("/metrics").content.decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_the_scrape_reads_the_figures_the_task_computed(tenant_a, tenant_b, settings) -> None:
    settings.PLAN_PRICES = {"free": 0, "standard": 5000, "enterprise": 4000}
    Tenant.objects.filter(slug="alpha").update(plan="standard", max_units=10)
    Tenant.objects.filter(slug="beta").update(status="suspended")
    today = timezone.localdate()
    with tenant_context(tenant_a):
        units = [Unit.objects.create(block="A", number=str(n)) for n in range(4)]
        for n, unit in enumerate(units[:3]):
            resident = Resident.objects.create(name=f"R{n}", phone=f"08123450000{n}")
            Occupancy.objects.create(unit=unit, resident=resident, role="owner", start_on=today)
        gone = Resident.objects.create(name="Gone", phone="081234500099")
        Occupancy.objects.create(
            unit=units[3], resident=gone, role="renter", start_on=date(2020, 1, 1),
            end_on=date(2021, 1, 1),
        )  # fmt: skip
        for n, paid in enumerate((300000, 0)):
            Invoice.objects.create(
                unit=units[n], number=f"INV-{n}", period=today.replace(day=1),
                due_on=date(2099, 1, 1), subtotal=300000, total=300000, amount_paid=paid,
            )  # fmt: skip
        for phone, seen in (("081234500066", timedelta(hours=2)), ("081234500077", timedelta(10))):
            user = User.objects.create_user(phone, "pw-x-123456", name=phone)
            User.objects.filter(pk=user.pk).update(last_login=timezone.now() - seen)

    assert refresh_business_figures.call_local() == Tenant.objects.count()
    with (
        CaptureQueriesContext(connections[alias_for(tenant_a)]) as alpha,
        CaptureQueriesContext(connections[alias_for(tenant_b)]) as beta,
    ):
        figures = _scrape()
    assert len(alpha) == len(beta) == 0  # a scrape never opens a complex's database

    def complex_(name: str) -> float:
        return figures[(f"klustera_complex_{name}", (("complex", "alpha"),))]

    assert complex_("units") == 4
    assert complex_("residents_active") == 3  # the one who moved out in 2021 is not counted
    assert complex_("invoices_billed_rupiah") == 600000
    assert complex_("invoices_paid_rupiah") == 300000
    assert complex_("collection_ratio") == 0.5
    assert complex_("users_daily_active") == 1
    assert complex_("users_monthly_active") == 2
    assert complex_("mrr_rupiah") == 20000  # 4 units at Rp 5.000
    assert ("klustera_complex_units", (("complex", "beta"),)) not in figures  # suspended
    assert figures[("klustera_platform_units", ())] == 4
    assert figures[("klustera_platform_mrr_rupiah", ())] == 20000
    active = Tenant.objects.filter(status="active").count()  # PostgreSQL's complexes too
    assert figures[("klustera_platform_complexes", (("status", "active"),))] == active
    assert figures[("klustera_platform_complexes", (("status", "suspended"),))] == 1
    assert figures[("klustera_business_figures_age_seconds", ())] < 60


def test_a_complex_whose_database_fails_is_reported_and_the_others_counted(
    tenant_a, tmp_path
) -> None:
    Tenant.objects.create(
        name="Lost", slug="aaa-lost", status="active", db_name=str(tmp_path / "lost.sqlite3")
    )
    with tenant_context(tenant_a):
        Unit.objects.create(block="A", number="1")
    refresh_business_figures.call_local()
    figures = _scrape()
    assert figures[("klustera_complex_database_up", (("complex", "aaa-lost"),))] == 0
    assert figures[("klustera_complex_database_up", (("complex", "alpha"),))] == 1
    assert figures[("klustera_complex_units", (("complex", "alpha"),))] == 1
    active = Tenant.objects.filter(status="active").count()
    assert figures[("klustera_platform_complexes", (("status", "active"),))] == active
