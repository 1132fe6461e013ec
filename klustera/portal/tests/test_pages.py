"""Every portal page renders for the roles it is for, and refuses the others."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klustera.access.models import GuestInvitation
from klustera.accounts.services import create_user
from klustera.audit.models import AuditEntry
from klustera.billing.models import Invoice, Payment, Tariff
from klustera.billing.services import generate_invoices, record_payment
from klustera.estate.models import Occupancy, Resident, Unit, Vehicle
from klustera.roles import Role
from klustera.tenancy.context import current_alias, tenant_context
from tests.seed import seed_complex

PASSWORD = "x-pass-123"


@pytest.fixture
def portal(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        create_user(
            phone="081300000007", name="Pak Satpam", password=PASSWORD, roles=[Role.SECURITY_STAFF]
        )
        Tariff.objects.create(charge="IPL", rate=Decimal("250000"), effective_from=date(2026, 1, 1))
        generate_invoices(period=timezone.localdate().replace(day=1))
        data["invoice"] = Invoice.objects.get(unit__number="01")
    clients = {"anonymous": Client()}
    for role, phone in (
        ("manager", "081300000001"),
        ("resident", "081300000002"),
        ("guard", "081300000007"),
    ):
        client = Client()
        assert (
            client.post("/c/alpha/login", {"username": phone, "password": PASSWORD}).status_code
            == 302
        )
        clients[role] = client
    data["clients"] = clients
    return data


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


def test_the_resident_home_and_invoices_show_what_is_owed(portal, tenant_a) -> None:
    resident = portal["clients"]["resident"]
    home = resident.get("/c/alpha/").content.decode()
    invoice = portal["invoice"]
    assert invoice.number in home and "250.000" in home  # Rupiah with dots
    listed = resident.get("/c/alpha/invoices/").content.decode()
    assert invoice.number in listed
    assert "A-02" not in listed  # not the resident's unit
    manager_list = portal["clients"]["manager"].get("/c/alpha/invoices/?block=A").content.decode()
    assert "A-01" in manager_list and "A-02" in manager_list
    assert (
        "A-0"
        not in portal["clients"]["manager"].get("/c/alpha/invoices/?status=paid").content.decode()
    )


def test_the_dashboard_shows_the_collection_rate(portal, tenant_a) -> None:
    with tenant_context(tenant_a):
        record_payment(
            unit=portal["invoice"].unit,
            amount=Decimal("250000"),
            method=Payment.Method.CASH,
            paid_at=timezone.now(),
            actor=None,
        )
    page = portal["clients"]["manager"].get("/c/alpha/").content.decode()
    assert "50%" in page  # one of the two units has paid
    assert 'hx-get="/c/alpha/dashboard/live"' in page


def test_a_resident_invites_a_guest_from_the_portal_and_cancels(portal, tenant_a) -> None:
    resident = portal["clients"]["resident"]
    unit = portal["units"][0]
    start = timezone.localtime() + timedelta(hours=1)
    form = {
        "unit": unit.pk,
        "guest_name": "Bu Ani",
        "people": 2,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    bad = resident.post("/c/alpha/guests/", {**form, "ends_at": form["starts_at"]})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()  # a form error
    other_unit = resident.post("/c/alpha/guests/", {**form, "unit": portal["units"][1].pk})
    assert 'class="error"' in other_unit.content.decode()  # not the resident's unit
    done = resident.post("/c/alpha/guests/", form, follow=True).content.decode()
    with tenant_context(tenant_a):
        invitation = GuestInvitation.objects.get()
        from klustera.access.services import code_of

        code = code_of(invitation)
    assert code in done and "Bu Ani" in done
    resident.post(f"/c/alpha/guests/{invitation.pk}/cancel")
    with tenant_context(tenant_a):
        assert GuestInvitation.objects.get().status == "cancelled"
    # Someone else's invitation cannot be cancelled from the portal.
    assert (
        portal["clients"]["manager"].post(f"/c/alpha/guests/{invitation.pk}/cancel").status_code
        == 404
    )


def test_the_pass_page_shows_a_fresh_qr(portal) -> None:
    page = portal["clients"]["resident"].get("/c/alpha/pass/").content.decode()
    assert 'src="data:image/svg+xml' in page and 'hx-trigger="every ' in page
    again = portal["clients"]["resident"].get("/c/alpha/pass/qr").content.decode()
    assert again.split('src="')[1][:200] != page.split('src="')[1][:200]  # a new nonce


def test_the_invoice_list_costs_the_same_queries_for_10_and_1000_invoices(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]

    def queries() -> int:
        with tenant_context(tenant_a):
            alias = current_alias()
        with CaptureQueriesContext(connections[alias]) as captured:
            assert manager.get("/c/alpha/invoices/").status_code == 200
        return len(captured)

    with tenant_context(tenant_a):
        Unit.objects.bulk_create(Unit(block="B", number=f"{n:03d}", land_area=90) for n in range(8))
        generate_invoices(period=date(2026, 1, 1))
    few = queries()
    with tenant_context(tenant_a):
        Unit.objects.bulk_create(
            Unit(block="C", number=f"{n:04d}", land_area=90) for n in range(990)
        )
        generate_invoices(period=date(2026, 2, 1))
    assert Invoice.objects.using(current_alias_of(tenant_a)).count() > 1000
    assert queries() == few


def current_alias_of(tenant) -> str:
    with tenant_context(tenant):
        return current_alias()


def test_a_billing_run_from_the_portal_reports_its_progress(
    portal, tenant_a, django_capture_on_commit_callbacks
) -> None:
    manager = portal["clients"]["manager"]
    bad = manager.post("/c/alpha/manage/billing/", {"period": "2099-01"})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()
    alias = current_alias_of(tenant_a)
    with django_capture_on_commit_callbacks(using=alias, execute=True):  # queued at commit
        started = manager.post("/c/alpha/manage/billing/", {"period": "2026-01"})
    assert started.status_code == 302
    run_page = started["Location"]
    assert portal["clients"]["resident"].get(run_page).status_code == 403
    answer = manager.get(run_page, HTTP_HX_REQUEST="true")
    assert "HX-Request" in answer["Vary"]  # the part is never cached as the page
    progress = answer.content.decode()
    assert "<html" not in progress  # only the part htmx swaps in
    assert 'id="run-created">2<' in progress and 'value="100"' in progress
    assert "hx-trigger" not in progress  # finished: the page stops polling
    with tenant_context(tenant_a):
        assert Invoice.objects.filter(period=date(2026, 1, 1)).count() == 2


def test_units_are_imported_after_a_preview_of_the_same_file(portal, tenant_a) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager = portal["clients"]["manager"]
    sheet = b"blok,nomor,luas_tanah\nZ,01,120\nZ,02,abc\n"
    broken = manager.post(
        "/c/alpha/manage/units/import", {"file": SimpleUploadedFile("u.csv", sheet)}
    ).content.decode()
    assert "Z-02" not in broken and 'role="alert"' in broken  # row 3 needs fixing
    good = sheet.replace(b"abc", b"90")
    preview = manager.post(
        "/c/alpha/manage/units/import", {"file": SimpleUploadedFile("u.csv", good)}
    ).content.decode()
    assert 'id="units-created">2<' in preview
    with tenant_context(tenant_a):
        assert not Unit.objects.filter(block="Z").exists()  # a preview writes nothing
    manager.post("/c/alpha/manage/units/import", {"confirm": "1"})
    with tenant_context(tenant_a):
        assert Unit.objects.filter(block="Z").count() == 2
    # Confirming again has nothing left to import.
    again = manager.post("/c/alpha/manage/units/import", {"confirm": "1"})
    assert again.status_code == 200 and 'id="import-report"' not in again.content.decode()


def test_a_manager_reminds_and_cancels_an_invoice_from_its_page(portal, tenant_a) -> None:
    from klustera.audit.models import AuditEntry
    from klustera.notifications.models import Message

    invoice = portal["invoice"]
    action = f"/c/alpha/invoices/{invoice.pk}/action"
    assert portal["clients"]["resident"].post(action, {"action": "remind"}).status_code == 403
    manager = portal["clients"]["manager"]
    page = manager.get(f"/c/alpha/invoices/{invoice.pk}/").content.decode()
    assert 'value="remind"' in page and 'value="cancel"' in page
    manager.post(action, {"action": "remind"})
    no_reason = manager.post(action, {"action": "cancel", "reason": " "}, follow=True)
    assert "notice error" in no_reason.content.decode()
    manager.post(action, {"action": "cancel", "reason": "Double entry"})
    with tenant_context(tenant_a):
        assert Message.objects.filter(template="payment_reminder").exists()
        cancelled = Invoice.objects.get(pk=invoice.pk)
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Double entry")
        assert AuditEntry.objects.filter(action="invoice.reminded").count() == 1
    again = manager.post(action, {"action": "remind"}, follow=True).content.decode()
    assert "notice error" in again  # a cancelled invoice is not open


def test_a_manager_records_a_cash_payment_and_reviews_a_transfer_proof(portal, tenant_a) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from klustera.payments.models import TransferProof
    from klustera.payments.services import submit_transfer_proof

    manager = portal["clients"]["manager"]
    form = {"unit": "a-01", "amount": "250000", "method": "cash", "paid_on": "2026-11-20"}
    unknown = manager.post("/c/alpha/manage/payments/", {**form, "unit": "Z-99"})
    assert 'class="error"' in unknown.content.decode()
    assert manager.post("/c/alpha/manage/payments/", form).status_code == 302
    with tenant_context(tenant_a):
        assert Invoice.objects.get(pk=portal["invoice"].pk).status == "paid"
        png = (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
            b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01"
            b"\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
        )
        from klustera.accounts.models import User

        proof = submit_transfer_proof(
            unit=portal["units"][1],
            user=User.objects.get(phone="+6281300000002"),
            amount=Decimal("250000"),
            transferred_on=date(2026, 11, 20),
            image=SimpleUploadedFile("slip.png", png, content_type="image/png"),
        )
    page = manager.get("/c/alpha/manage/payments/").content.decode()
    assert f"/manage/payments/proofs/{proof.pk}/review" in page
    assert manager.get(f"/c/alpha/manage/payments/proofs/{proof.pk}/image").status_code == 200
    review = f"/c/alpha/manage/payments/proofs/{proof.pk}/review"
    assert portal["clients"]["resident"].post(review, {"approve": "1"}).status_code == 403
    manager.post(review, {"approve": "1"})
    with tenant_context(tenant_a):
        assert TransferProof.objects.get(pk=proof.pk).status == "approved"
        assert (
            Invoice.objects.get(unit=portal["units"][1], period=portal["invoice"].period).status
            == "paid"
        )


def test_the_access_log_costs_the_same_queries_for_10_and_1000_entries(portal, tenant_a) -> None:
    from klustera.access.models import AccessLog
    from klustera.estate.models import Resident

    manager = portal["clients"]["manager"]
    with tenant_context(tenant_a):
        alias = current_alias()
        resident = Resident.objects.get()

    def log(n: int) -> None:
        with tenant_context(tenant_a):
            AccessLog.objects.bulk_create(
                AccessLog(
                    kind="resident_entry",
                    method="qr_code",
                    result="valid",
                    gate="Utama",
                    unit=portal["units"][0],
                    resident=resident,
                    at=timezone.now(),
                )
                for _ in range(n)
            )

    def queries() -> int:
        with CaptureQueriesContext(connections[alias]) as captured:
            assert manager.get("/c/alpha/manage/access-log/").status_code == 200
        return len(captured)

    log(10)
    few = queries()
    log(990)
    assert queries() == few


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


def test_a_manager_adds_a_tariff_that_cannot_overlap(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]
    form = {"charge": "Sampah", "basis": "flat", "rate": "25000", "effective_from": "2026-12"}
    assert manager.post("/c/alpha/manage/tariffs/", form).status_code == 302
    overlap = manager.post("/c/alpha/manage/tariffs/", {**form, "rate": "30000"})
    assert 'class="error"' in overlap.content.decode()
    garbage = manager.post("/c/alpha/manage/tariffs/", {**form, "effective_from": "soon"})
    assert 'class="error"' in garbage.content.decode()
    with tenant_context(tenant_a):
        assert list(Tariff.objects.filter(charge="Sampah").values_list("rate", flat=True)) == [
            Decimal("25000")
        ]


def test_a_manager_creates_and_switches_off_a_staff_account(portal, tenant_a) -> None:
    from klustera.accounts.models import User

    manager = portal["clients"]["manager"]
    form = {
        "name": "Bu Cleaning",
        "phone": "081366660001",
        "role": "cleaning_staff",
        "password": "clean-123-x",
    }
    assert manager.post("/c/alpha/manage/staff/", form).status_code == 302
    again = manager.post("/c/alpha/manage/staff/", form)
    assert 'class="error"' in again.content.decode()  # the phone has an account already
    page = manager.get("/c/alpha/manage/staff/").content.decode()
    assert "Bu Cleaning" in page and "Pak Satpam" in page
    with tenant_context(tenant_a):
        cleaner = User.objects.get(phone="+6281366660001")
        resident = User.objects.get(phone="+6281300000002")
    manager.post("/c/alpha/manage/staff/", {"toggle": cleaner.pk, "active": "0"})
    signed_in = Client().post(
        "/c/alpha/login", {"username": "081366660001", "password": "clean-123-x"}
    )
    assert signed_in.status_code == 200  # refused: switched off
    refused = manager.post(
        "/c/alpha/manage/staff/", {"toggle": resident.pk, "active": "0"}, follow=True
    )
    assert "notice error" in refused.content.decode()  # a resident is not staff
    assert manager.post("/c/alpha/manage/staff/", {"toggle": "x", "active": "0"}).status_code == 404
    with tenant_context(tenant_a):
        assert User.objects.get(pk=resident.pk).is_active


def test_a_user_edits_the_profile_and_signs_a_device_out(portal, tenant_a) -> None:
    from klustera.accounts.models import ApiToken, User

    resident = portal["clients"]["resident"]
    app = Client(HTTP_AUTHORIZATION=f"Bearer {portal['resident_token']}")
    assert app.get("/c/alpha/api/v1/auth/me").status_code == 200
    page = resident.get("/c/alpha/profile").content.decode()
    assert "test" in page  # the device the seed signed in as
    bad = resident.post(
        "/c/alpha/profile", {"name": "Siti", "email": "not-an-email", "language": "en"}
    )
    assert 'class="error"' in bad.content.decode()
    resident.post(
        "/c/alpha/profile", {"name": "Siti R.", "email": "siti@example.com", "language": "en"}
    )
    with tenant_context(tenant_a):
        user = User.objects.get(phone="+6281300000002")
        assert (user.name, user.email, user.language) == ("Siti R.", "siti@example.com", "en")
        family = ApiToken.objects.get(user=user).family
    resident.post("/c/alpha/profile", {"sign_out": str(family)})
    assert app.get("/c/alpha/api/v1/auth/me").status_code == 401  # that device is signed out
    # Another user's device cannot be signed out from here.
    with tenant_context(tenant_a):
        manager_family = ApiToken.objects.get(user__phone="+6281300000001").family
    resident.post("/c/alpha/profile", {"sign_out": str(manager_family)})
    manager_app = Client(HTTP_AUTHORIZATION=f"Bearer {portal['manager_token']}")
    assert manager_app.get("/c/alpha/api/v1/auth/me").status_code == 200
    assert resident.post("/c/alpha/profile", {"sign_out": "garbage"}).status_code == 302


def test_a_resident_sees_the_household_of_their_unit_only(portal, tenant_a) -> None:
    from klustera.estate.models import Vehicle

    with tenant_context(tenant_a):
        Vehicle.objects.create(unit=portal["units"][0], plate="B1234XYZ")
        Vehicle.objects.create(unit=portal["units"][1], plate="D9999AA")
    page = portal["clients"]["resident"].get("/c/alpha/units/").content.decode()
    assert "A-01" in page and "Resident alpha" in page and "B1234XYZ" in page
    assert "A-02" not in page and "D9999AA" not in page


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


def test_a_manager_moves_people_in_and_out_and_registers_vehicles(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]
    unit = portal["units"][0]  # A-01, where "Resident alpha" lives and receives the bills
    page = f"/c/alpha/manage/units/{unit.pk}/"
    shown = manager.get(page).content.decode()
    assert "Resident alpha" in shown and 'x-data="confirm"' in shown
    assert f'name="start_on" value="{timezone.localdate():%Y-%m-%d}"' in shown  # a date input
    assert portal["clients"]["resident"].get(page).status_code == 403
    # A new person moves in; their phone was never registered, so they are created.
    move_in = {
        "name": "Bu Sari",
        "phone": "0812-7777-0001",
        "role": "renter",
        "start_on": "2026-11-01",
    }
    garbage = manager.post(f"{page}move-in", {**move_in, "phone": "12ab", "start_on": "soon"})
    assert garbage.content.decode().count('class="error" role="alert"') == 2  # phone, date
    assert manager.post(f"{page}move-in", move_in).status_code == 302
    # The unit already has a billing contact: refused with a form error, nobody created.
    clash = manager.post(
        f"{page}move-in",
        {**move_in, "name": "Pak Joko", "phone": "081277770002", "is_billing_contact": "on"},
    )
    assert clash.status_code == 200 and 'class="error" role="alert"' in clash.content.decode()
    with tenant_context(tenant_a):
        assert not Resident.objects.filter(name="Pak Joko").exists()
        sari = Occupancy.objects.get(unit=unit, resident__name="Bu Sari")
        assert sari.resident.phone == "+6281277770001" and not sari.is_billing_contact
    # The bills go to Bu Sari now, then she moves out.
    manager.post(f"/c/alpha/manage/stays/{sari.pk}", {"action": "billing-contact"})
    with tenant_context(tenant_a):
        contacts = Occupancy.objects.filter(unit=unit, is_billing_contact=True, end_on=None)
        assert [stay.resident.name for stay in contacts] == ["Bu Sari"]
    early = manager.post(
        f"/c/alpha/manage/stays/{sari.pk}", {"action": "move-out", "end_on": "2026-10-01"}
    )
    assert "notice error" in manager.get(early["Location"]).content.decode()
    manager.post(
        f"/c/alpha/manage/stays/{sari.pk}",
        {"action": "move-out", "end_on": "2026-11-20"},
        follow=True,
    )
    shown = manager.get(page).content.decode()
    assert shown.count("Bu Sari") == 1  # in the history only: no move-out button any more
    # Vehicles: a plate belongs to one unit; garbage is a form error.
    assert (
        manager.post(f"{page}vehicles", {"plate": "b 1234 xyz", "kind": "car"}).status_code == 302
    )
    again = manager.post(f"{page}vehicles", {"plate": "B1234XYZ", "kind": "car"})
    assert again.status_code == 200 and 'class="error" role="alert"' in again.content.decode()
    with tenant_context(tenant_a):
        vehicle = Vehicle.objects.get(plate="B1234XYZ")
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"resident.moved_in", "resident.billing_contact", "resident.moved_out"} <= actions
    assert manager.post(f"/c/alpha/manage/vehicles/{vehicle.pk}/remove").status_code == 302
    with tenant_context(tenant_a):
        assert not Vehicle.objects.exists()
    assert portal["clients"]["guard"].post(f"{page}vehicles", {"plate": "B 9 X"}).status_code == 403
    # alpha's session means nothing at beta (and is dropped there)
    elsewhere = manager.post(f"/c/beta/manage/units/{unit.pk}/vehicles", {"plate": "B 1 A"})
    assert elsewhere.status_code == 302 and "/c/beta/login" in elsewhere["Location"]


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
