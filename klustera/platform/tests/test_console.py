"""The platform console: only the platform's super admins, on the platform's host."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from klustera.accounts.models import User
from klustera.estate.models import Unit
from klustera.platform import selectors
from klustera.platform.tasks import refresh_business_figures
from klustera.tenancy.context import platform_context, tenant_context
from klustera.tenancy.models import Tenant


def _admin() -> Client:
    with platform_context():
        User.objects.create_superuser("081999000009", "pw-platform-1", name="Operator")
    client = Client()
    assert (
        client.post("/login", {"username": "081999000009", "password": "pw-platform-1"}).status_code
        == 302
    )
    return client


def test_the_console_shows_usage_and_metrics_and_manages_complexes(
    tenant_a, tenant_b, settings
) -> None:
    settings.PLAN_PRICES = {"free": 0, "standard": 5000, "enterprise": 4000}
    Tenant.objects.filter(slug="alpha").update(plan="standard", max_units=3)
    with tenant_context(tenant_a):
        Unit.objects.bulk_create(
            Unit(block="A", number=str(n), land_area=Decimal(90)) for n in range(5)
        )
    admin = _admin()
    assert admin.get("/").status_code == 302  # to the console
    page = admin.get("/platform/").content.decode()
    assert 'id="units-managed">0<' in page and "belum sejak worker berjalan" in page
    page = admin.get("/platform/").content.decode()  # that view put the count on the queue
    assert 'id="units-managed">5<' in page and "Angka per hitungan" in page
    assert "Rp 15.000" in page  # 5 units on the standard plan, limited to 3, at Rp 5.000

    admin.post("/platform/tenants/beta", {"action": "suspend"})
    assert Tenant.objects.get(slug="beta").status == "suspended"
    assert Client().get("/c/beta/login").status_code == 403  # no longer served
    admin.post("/platform/tenants/beta", {"action": "resume"})
    assert Tenant.objects.get(slug="beta").status == "active"
    admin.post(
        "/platform/tenants/alpha", {"action": "plan", "plan": "enterprise", "max_units": "10"}
    )
    assert Tenant.objects.filter(slug="alpha", plan="enterprise", max_units=10).exists()
    bad = admin.post(
        "/platform/tenants/alpha", {"action": "plan", "plan": "gold", "max_units": "0"}, follow=True
    )
    assert "notice error" in bad.content.decode()
    assert Tenant.objects.get(slug="alpha").plan == "enterprise"


def test_a_new_complex_is_provisioned_from_the_console(tenant_a) -> None:
    from klustera.tenancy import services

    admin = _admin()
    form = {
        "name": "Taman Asri",
        "slug": "taman-asri",
        "plan": "standard",
        "max_units": "120",
        "time_zone": "Asia/Makassar",
        "manager_name": "Bu Rina",
        "manager_phone": "081277770001",
        "manager_password": "rina-pass-123",
    }
    taken = admin.post("/platform/", {**form, "slug": "alpha"})
    assert 'class="error"' in taken.content.decode()  # the address is taken
    weak = admin.post("/platform/", {**form, "manager_password": "12345678"})
    assert 'class="error"' in weak.content.decode() and "password" in weak.content.decode()
    assert not Tenant.objects.filter(slug="taman-asri").exists()
    assert admin.post("/platform/", form).status_code == 302
    tenant = Tenant.objects.get(slug="taman-asri")
    try:
        assert (tenant.status, tenant.time_zone, tenant.max_units) == (
            "active",
            "Asia/Makassar",
            120,
        )
        manager = Client()
        signed_in = manager.post(
            "/c/taman-asri/login", {"username": "081277770001", "password": "rina-pass-123"}
        )
        assert signed_in.status_code == 302
    finally:
        services.drop_database(tenant)


def test_only_platform_super_admins_open_the_console(tenant_a) -> None:
    assert Client().get("/platform/").status_code == 302  # to the sign-in
    with platform_context():
        User.objects.create_user("081999000008", "pw-platform-2", name="Staff")
    staff = Client()
    staff.post("/login", {"username": "081999000008", "password": "pw-platform-2"})
    assert staff.get("/platform/").status_code == 403
    # A complex's manager, on the complex's address, is not a platform admin.
    from tests.seed import seed_complex

    seed_complex(tenant_a, marker="alpha")
    manager = Client()
    manager.post("/c/alpha/login", {"username": "081300000001", "password": "x-pass-123"})
    assert manager.get("/c/alpha/platform/").status_code == 403
    assert manager.post("/c/alpha/platform/tenants/beta", {"action": "suspend"}).status_code == 403


def test_a_complexs_row_agrees_with_the_total_and_the_admin_signs_out(tenant_a, tenant_b) -> None:
    from datetime import date

    from django.utils import timezone

    from klustera.billing.models import Invoice

    Tenant.objects.filter(slug="beta").update(status="suspended")  # alpha alone is counted
    with tenant_context(tenant_a):
        unit = Unit.objects.create(number="1")
        Invoice.objects.create(
            unit=unit, number="INV-9", period=timezone.localdate().replace(day=1),
            due_on=date(2099, 1, 1), subtotal=300000, total=300000, amount_paid=5000,
        )  # fmt: skip
    refresh_business_figures.call_local()
    admin = _admin()
    page = admin.get("/platform/").content.decode()
    assert page.count(">1%<") == 2 and ">2%<" not in page  # 5.000 of 300.000: 1.7 %: both 1 %
    assert "/c/alamatnya/" in page and "/c//" not in page
    assert 'action="/logout"' in page
    admin.post("/logout")
    assert admin.get("/platform/").status_code == 302  # signed out: to the sign-in page


def test_a_complex_whose_database_does_not_answer_keeps_the_console_up(tenant_a, tmp_path) -> None:
    Tenant.objects.create(
        name="Lost", slug="aaa-lost", status="active", db_name=str(tmp_path / "lost.sqlite3")
    )
    refresh_business_figures.call_local()  # the count finds it not answering
    page = _admin().get("/platform/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lost" in html and "Basis data tidak menjawab" in html  # the console speaks Indonesian


def test_cancelling_a_complex_ends_its_service_and_keeps_its_data(tenant_a) -> None:
    from klustera.tenancy import services

    admin = _admin()
    form = {
        "name": "Griya Lama",
        "slug": "griya-lama",
        "plan": "standard",
        "max_units": "40",
        "time_zone": "Asia/Jakarta",
        "manager_name": "Pak Dedi",
        "manager_phone": "081277770002",
        "manager_password": "dedi-pass-123",
    }
    assert admin.post("/platform/", form).status_code == 302
    tenant = Tenant.objects.get(slug="griya-lama")
    try:
        with tenant_context(tenant):
            Unit.objects.create(block="G", number="1", land_area=Decimal(72))
        untyped = admin.post("/platform/tenants/griya-lama", {"action": "cancel"}, follow=True)
        assert (
            "griya-lama" in untyped.content.decode() and "notice error" in untyped.content.decode()
        )
        assert Tenant.objects.get(slug="griya-lama").status == "active"  # not without the slug

        admin.post(
            "/platform/tenants/griya-lama", {"action": "cancel", "confirm_slug": "griya-lama"}
        )
        tenant.refresh_from_db()
        assert tenant.status == "cancelled" and tenant.cancelled_at is not None
        page = Client().get("/c/griya-lama/login")
        assert page.status_code == 410
        api = Client().get("/api/v1/auth/me", headers={"X-Tenant": "griya-lama"})
        assert (api.status_code, api.json()["error"]["code"]) == (410, "TENANT_CANCELLED")
        console = admin.get("/platform/").content.decode()
        assert 'id="ended"' in console and tenant.db_name in console
        with tenant_context(tenant):  # the data is kept
            assert Unit.objects.filter(block="G").exists()
        again = admin.post(
            "/platform/tenants/griya-lama",
            {"action": "cancel", "confirm_slug": "griya-lama"},
            follow=True,
        )
        assert "notice error" in again.content.decode()
    finally:
        services.drop_database(tenant)


def test_a_console_page_opens_no_complex_database(tenant_a, tenant_b, monkeypatch) -> None:
    refresh_business_figures.call_local()
    admin = _admin()

    def opened(tenant: Tenant) -> None:
        raise AssertionError(f"the console opened {tenant.slug}'s database")

    monkeypatch.setattr(selectors, "usage_of", opened)
    page = admin.get("/platform/")
    assert page.status_code == 200 and "alpha" in page.content.decode()
