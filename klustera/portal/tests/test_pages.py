"""Every portal page renders for the roles it is for, and refuses the others."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klustera.billing.models import Payment
from klustera.billing.services import record_payment
from klustera.estate.models import Unit
from klustera.tenancy.context import tenant_context
from tests.pages import current_alias_of, pay_the_invoice
from tests.seed import seed_complex

# page → who may open it (everyone else: a sign-in redirect when anonymous, 403 or 404 otherwise)
PAGES = {
    "/c/alpha/": {"anonymous", "manager", "resident", "guard"},
    "/c/alpha/invoices/": {"manager", "resident", "guard"},  # a guard sees no invoices
    "/c/alpha/pass/": {"resident"},
    "/c/alpha/guests/": {"manager", "resident", "guard"},
    "/c/alpha/manage/access-log/": {"manager", "guard"},
    "/c/alpha/gate/": {"manager", "guard"},
    "/c/alpha/dashboard/live": {"manager"},
    "/c/alpha/manage/notifications/": {"manager"},
    "/c/alpha/payments/": {"manager", "resident", "guard"},  # a guard sees no payments
    "/c/alpha/manage/units/import": {"manager"},
    "/c/alpha/manage/billing/": {"manager"},
    "/c/alpha/manage/payments/": {"manager"},
    "/c/alpha/manage/units/": {"manager"},
    "/c/alpha/manage/units/new": {"manager"},
    "/c/alpha/manage/tariffs/": {"manager"},
    "/c/alpha/manage/staff/": {"manager"},
    "/c/alpha/profile": {"manager", "resident", "guard"},
    "/c/alpha/units/": {"manager", "resident", "guard"},  # a resident's own; others see none
    "/c/alpha/announcements/": {"manager", "resident", "guard"},
}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_renders_for_its_roles_and_refuses_the_others(portal, path: str) -> None:
    for role, client in portal["clients"].items():
        answer = client.get(path, follow=False)
        if role in PAGES[path]:
            assert answer.status_code in (200, 302), (role, path, answer.status_code)
            if answer.status_code == 302:  # the gate's home is guard mode
                assert (role, answer["Location"]) == ("guard", "/c/alpha/gate/")
        elif role == "anonymous":
            assert answer.status_code == 302 and "/login" in answer["Location"], path
        else:
            assert answer.status_code in (403, 404), (role, path, answer.status_code)


def test_the_dashboard_shows_the_collection_rate(portal, tenant_a) -> None:
    pay_the_invoice(portal, tenant_a)
    page = portal["clients"]["manager"].get("/c/alpha/").content.decode()
    assert "50%" in page  # one of the two units has paid
    assert 'hx-get="/c/alpha/dashboard/live"' in page


def test_the_dashboard_tells_how_many_residents_cannot_be_reached_and_why(portal, tenant_a) -> None:
    from klustera.notifications.models import Channel, Consent
    from klustera.notifications.services import set_consent

    manager = portal["clients"]["manager"]
    page = manager.get("/c/alpha/").content.decode()
    assert "0 dari 1 penerima tagihan bisa dikirimi pesan" in page
    assert "Tidak bisa dihubungi: 1 — belum setuju WhatsApp dan belum ada email" in page
    with tenant_context(tenant_a):
        set_consent(
            user=portal["resident_user"],
            channel=Channel.WHATSAPP,
            granted=True,
            method=Consent.Method.REGISTRATION,
        )
    page = manager.get("/c/alpha/").content.decode()
    assert "1 dari 1 penerima tagihan" in page and "Tidak bisa dihubungi" not in page


def test_a_manager_finds_adds_and_changes_units(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]
    listed = manager.get("/c/alpha/manage/units/").content.decode()
    assert "Resident alpha" in listed and "Rp 250.000" in listed  # who lives there, what is owed
    found = manager.get("/c/alpha/manage/units/?q=resident alpha").content.decode()
    assert "A-01" in found and "A-02" not in found
    assert "A-02" in manager.get("/c/alpha/manage/units/?q=a-02").content.decode()
    form = {"block": "B", "number": "07", "unit_type": "house", "land_area": "120"}
    assert manager.post("/c/alpha/manage/units/new", form).status_code == 302
    clash = manager.post("/c/alpha/manage/units/new", form)
    assert 'class="error"' in clash.content.decode()  # B-07 exists already
    with tenant_context(tenant_a):
        unit = Unit.objects.get(block="B", number="07")
    manager.post(f"/c/alpha/manage/units/{unit.pk}/edit", {**form, "land_area": "150"})
    with tenant_context(tenant_a):
        assert Unit.objects.get(pk=unit.pk).land_area == Decimal("150")
    assert (
        portal["clients"]["resident"].get(f"/c/alpha/manage/units/{unit.pk}/edit").status_code
        == 403
    )


@pytest.mark.parametrize("page", ["/c/alpha/manage/units/", "/c/alpha/payments/"])
def test_the_main_lists_cost_the_same_queries_for_10_and_1000_rows(
    portal, tenant_a, page: str
) -> None:
    from klustera.estate.models import Occupancy, Resident

    manager = portal["clients"]["manager"]
    alias = current_alias_of(tenant_a)
    made = [0]

    def add(n: int) -> None:
        with tenant_context(tenant_a):
            start = made[0]
            units = Unit.objects.bulk_create(
                Unit(block="P", number=f"{start + i:04d}", land_area=Decimal(90)) for i in range(n)
            )
            residents = Resident.objects.bulk_create(
                Resident(name=f"Warga {start + i}", phone=f"+62813{start + i:07d}")
                for i in range(n)
            )
            Occupancy.objects.bulk_create(
                Occupancy(unit=u, resident=r, role="owner", start_on=date(2026, 1, 1))
                for u, r in zip(units, residents, strict=True)
            )
            Payment.objects.bulk_create(
                Payment(
                    unit=u,
                    amount=Decimal(1000),
                    method="cash",
                    receipt_number=f"T/{start + i}",
                    paid_at=timezone.now(),
                )
                for i, u in enumerate(units)
            )
            made[0] += n

    def queries() -> int:
        with CaptureQueriesContext(connections[alias]) as captured:
            assert manager.get(page).status_code == 200
        return len(captured)

    add(10)
    few = queries()
    add(990)
    assert queries() == few


@pytest.mark.parametrize("path", PAGES)
def test_a_session_of_one_complex_opens_nothing_of_another(portal, tenant_b, path: str) -> None:
    seed_complex(tenant_b, marker="beta")
    other = path.replace("/c/alpha/", "/c/beta/")
    for role in ("manager", "resident", "guard"):
        answer = portal["clients"][role].get(other, follow=False)
        if answer.status_code == 302:
            assert "/c/beta/login" in answer["Location"], (role, other, answer["Location"])
        else:
            assert answer.status_code in (403, 404) or other == "/c/beta/", (role, other)
            assert "Manager alpha" not in answer.content.decode()


def test_lists_sort_by_a_column_both_ways_and_keep_their_filters(portal, tenant_a) -> None:
    with tenant_context(tenant_a):
        record_payment(
            unit=portal["invoice"].unit,  # A-01 has paid; A-02 still owes Rp 250.000
            amount=Decimal("250000"),
            method=Payment.Method.CASH,
            paid_at=timezone.now(),
            actor=None,
        )
    manager = portal["clients"]["manager"]

    def order(query: str) -> list[str]:
        rows = manager.get(f"/c/alpha/manage/units/?{query}").content.decode().split("<tbody>")[1]
        return sorted(("A-01", "A-02"), key=rows.index)

    assert order("sort=-owed") == ["A-02", "A-01"]  # the most owed first
    assert order("sort=owed") == ["A-01", "A-02"]
    assert order("sort=pk;drop") == ["A-01", "A-02"]  # an unknown column keeps the list's order
    page = manager.get("/c/alpha/manage/units/?q=A&sort=owed").content.decode()
    assert 'aria-sort="ascending"' in page and "?q=A&amp;sort=-owed" in page  # click: reverse


def test_a_refused_page_is_styled_and_keeps_the_navigation(portal) -> None:
    refused = portal["clients"]["resident"].get("/c/alpha/manage/tariffs/")
    page = refused.content.decode()
    assert refused.status_code == 403
    assert "<h1>Tidak boleh masuk</h1>" in page and 'class="site-nav"' in page
    assert 'href="/c/alpha/invoices/"' in page  # the resident's own navigation, to go on


def test_the_signed_out_landing_page_leads_to_the_sign_in(portal) -> None:
    page = portal["clients"]["anonymous"].get("/c/alpha/").content.decode()
    assert 'action="/c/alpha/login"' in page and ">Masuk</button>" in page


def test_a_manager_sets_the_complexs_time_zone_and_the_checklist_follows(portal, tenant_a) -> None:
    from klustera.audit.models import AuditEntry
    from klustera.tenancy.models import Tenant

    manager = portal["clients"]["manager"]
    page = manager.get("/c/alpha/").content.decode()
    assert 'id="setup"' in page and "Atur tarif" in page  # a new complex: its first steps
    assert manager.post("/c/alpha/manage/settings/", {"time_zone": "Asia/Mars"}).status_code == 200
    assert (
        manager.post("/c/alpha/manage/settings/", {"time_zone": "Asia/Makassar"}).status_code == 302
    )
    assert Tenant.objects.get(pk=tenant_a.pk).time_zone == "Asia/Makassar"
    with tenant_context(tenant_a):
        assert AuditEntry.objects.filter(action="complex.time_zone_changed").exists()
    assert (
        portal["clients"]["resident"]
        .post("/c/alpha/manage/settings/", {"time_zone": "Asia/Jayapura"})
        .status_code
        == 403
    )
