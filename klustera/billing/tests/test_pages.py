"""Billing's portal pages: invoices, billing runs, reminders and tariffs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klustera.billing.models import BillingRun, Invoice, Tariff
from klustera.billing.services import generate_invoices
from klustera.estate.models import Unit
from klustera.tenancy.context import current_alias, tenant_context
from tests.pages import current_alias_of


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


def test_a_billing_run_from_the_portal_reports_its_progress(
    portal, tenant_a, django_capture_on_commit_callbacks
) -> None:
    manager = portal["clients"]["manager"]
    bad = manager.post("/c/alpha/manage/billing/", {"period": "2099-01"})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()
    with tenant_context(tenant_a):
        runs = BillingRun.objects.count()
    form = manager.get("/c/alpha/manage/billing/").content.decode()
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)
    assert f'value="{next_month:%Y-%m}"' in form  # this month is billed already: the next one
    summary = manager.post("/c/alpha/manage/billing/", {"period": "2026-01"}).content.decode()
    assert "2 unit mendapat tagihan" in summary and "IPL Rp 250.000" in summary
    with tenant_context(tenant_a):
        assert BillingRun.objects.count() == runs  # nothing starts before it is confirmed
    alias = current_alias_of(tenant_a)
    with django_capture_on_commit_callbacks(using=alias, execute=True):  # queued at commit
        started = manager.post("/c/alpha/manage/billing/", {"period": "2026-01", "confirmed": "1"})
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


def test_a_reminder_says_whom_it_reached_and_why_not(portal, tenant_a) -> None:
    from klustera.notifications.models import Channel, Consent
    from klustera.notifications.services import set_consent

    invoice, manager = portal["invoice"], portal["clients"]["manager"]
    action = f"/c/alpha/invoices/{invoice.pk}/action"
    nobody = manager.post(action, {"action": "remind"}, follow=True).content.decode()
    assert "Tidak bisa dihubungi: 1 — belum ada persetujuan WhatsApp, belum ada alamat email" in (
        nobody
    )
    assert "Dalam antrean" not in nobody  # nothing went: never said "sent"
    with tenant_context(tenant_a):
        set_consent(
            user=portal["resident_user"],
            channel=Channel.WHATSAPP,
            granted=True,
            method=Consent.Method.APP_SETTING,
        )
    reached = manager.post(action, {"action": "remind"}, follow=True).content.decode()
    assert "Dalam antrean kirim untuk 1 penerima (WhatsApp 1)" in reached
    assert "Tidak bisa dihubungi" not in reached


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


def test_a_manager_changes_a_rate_from_a_month_and_ends_a_charge(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]
    with tenant_context(tenant_a):
        ipl = Tariff.objects.get(charge="IPL")
    page = manager.get("/c/alpha/manage/tariffs/").content.decode()
    assert f"/c/alpha/manage/tariffs/{ipl.pk}/change" in page
    change = f"/c/alpha/manage/tariffs/{ipl.pk}/change"
    # A rate typed the Indonesian way, from March 2027.
    done = manager.post(change, {"from_month": "2027-03", "rate": "Rp 280.000"}, follow=True)
    assert "IPL menjadi Rp 280.000 mulai 2027-03" in done.content.decode()
    with tenant_context(tenant_a):
        old, new = Tariff.objects.filter(charge="IPL").order_by("effective_from")
        assert (old.effective_to, old.rate) == (date(2027, 2, 1), Decimal("250000"))
        assert (new.effective_from, new.effective_to, new.rate) == (
            date(2027, 3, 1),
            None,
            Decimal("280000"),
        )
    too_early = manager.post(change, {"from_month": "2026-01", "rate": "1"}, follow=True)
    assert "notice error" in too_early.content.decode()
    ended = manager.post(
        f"/c/alpha/manage/tariffs/{new.pk}/change", {"from_month": "2027-06", "rate": ""}
    )
    assert ended.status_code == 302
    garbage = manager.post(change, {"from_month": "soon", "rate": "a lot"}, follow=True)
    assert "notice error" in garbage.content.decode()
    with tenant_context(tenant_a):
        assert Tariff.objects.get(pk=new.pk).effective_to == date(2027, 5, 1)
        assert Tariff.objects.count() == 2  # nothing half-done by the refused changes
    assert portal["clients"]["resident"].post(change, {"from_month": "2027-04"}).status_code == 403


def test_a_new_tariff_takes_rupiah_typed_the_indonesian_way(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]
    form = {
        "charge": "Keamanan",
        "basis": "flat",
        "rate": "Rp 1.250.000",
        "effective_from": "2027-01",
    }
    assert manager.post("/c/alpha/manage/tariffs/", form).status_code == 302
    with tenant_context(tenant_a):
        assert Tariff.objects.get(charge="Keamanan").rate == Decimal("1250000")


def test_a_manager_changes_the_billing_settings_and_bad_values_are_form_errors(
    portal, tenant_a
) -> None:
    from klustera.audit.models import AuditEntry
    from klustera.billing.models import BillingSettings

    manager = portal["clients"]["manager"]
    page = manager.get("/c/alpha/manage/billing/settings").content.decode()
    assert "Tanggal jatuh tempo" in page or "due_day" in page
    with tenant_context(tenant_a):
        current = BillingSettings.current()
    form = {
        "address": "Jl. Melati 5",
        "invoice_prefix": "IPL",
        "due_day": "15",
        "tax_label": "PPN",
        "tax_rate": "12",
        "tax_base_percent": "91.667",
        "grace_days": "3",
        "late_fee": "flat",
        "late_fee_value": "Rp 25.000",
        "remind_days_before": "3",
        "remind_days_after": "2",
        "payment_instructions": "BCA 123",
    }
    bad = manager.post("/c/alpha/manage/billing/settings", {**form, "due_day": "31"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    bad_prefix = manager.post("/c/alpha/manage/billing/settings", {**form, "invoice_prefix": "a/b"})
    assert 'role="alert"' in bad_prefix.content.decode()
    assert manager.post("/c/alpha/manage/billing/settings", form).status_code == 302
    with tenant_context(tenant_a):
        saved = BillingSettings.current()
        assert (saved.due_day, saved.late_fee_value, saved.address) == (
            15,
            Decimal("25000"),
            "Jl. Melati 5",
        )
        assert saved.invoice_prefix == "IPL" != current.invoice_prefix
        assert AuditEntry.objects.filter(action="billing.settings_changed").exists()
    assert portal["clients"]["resident"].get("/c/alpha/manage/billing/settings").status_code == 403


def test_a_manager_adds_one_off_charges_to_units_and_blocks(portal, tenant_a) -> None:
    from klustera.billing.models import OneOffCharge

    manager = portal["clients"]["manager"]
    form = {"units": "A", "period": "2099-01", "description": "Kartu akses", "amount": "75.000"}
    unknown = manager.post("/c/alpha/manage/charges/", {**form, "units": "A-01, Z-9"})
    assert "Z-9" in unknown.content.decode() and 'role="alert"' in unknown.content.decode()
    month = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)
    done = manager.post(
        "/c/alpha/manage/charges/", {**form, "period": f"{month:%Y-%m}"}, follow=True
    ).content.decode()
    assert "Kartu akses dibebankan ke 2 unit" in done and "Rp 75.000" in done
    billed = manager.post(
        "/c/alpha/manage/charges/", {**form, "period": f"{timezone.localdate():%Y-%m}"}
    )
    assert 'role="alert"' in billed.content.decode()  # this month is billed already
    with tenant_context(tenant_a):
        assert OneOffCharge.objects.count() == 2  # all or none: the refused left nothing


def test_a_manager_reminds_everyone_overdue_after_a_summary(portal, tenant_a) -> None:
    from klustera.notifications.models import Message

    with tenant_context(tenant_a):
        Invoice.objects.update(status="overdue")
    manager = portal["clients"]["manager"]
    summary = manager.get("/c/alpha/manage/remind-overdue").content.decode()
    assert "2 unit menunggak" in summary and "Rp 500.000" in summary
    with tenant_context(tenant_a):
        assert not Message.objects.filter(template="payment_overdue").exists()
    done = manager.post("/c/alpha/manage/remind-overdue", {"confirmed": "1"}, follow=True)
    told = done.content.decode()
    # A-01's resident has no opt-in and no email; A-02 has no billing contact at all.
    assert "Tidak bisa dihubungi: 1" in told and "Dalam antrean" not in told
    api = manager.post("/c/alpha/api/v1/admin/invoices/remind-overdue")
    assert api.json()["data"]["unreachable"] == 1 and "summary" in api.json()["data"]


def test_the_financial_reports_show_their_figures_and_download_as_files(portal, tenant_a) -> None:
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from klustera.billing.models import Payment
    from klustera.billing.services import record_payment

    with tenant_context(tenant_a):
        unit = portal["invoice"].unit
        record_payment(
            unit=unit,
            amount=Decimal("100000"),
            method=Payment.Method.QRIS,
            channel="QRIS",
            paid_at=timezone.now(),
        )
        Invoice.objects.filter(unit=unit).update(due_on=timezone.localdate() - timedelta(days=45))
    manager = portal["clients"]["manager"]
    aging = manager.get("/c/alpha/manage/reports/aging").content.decode()
    assert "31–60" in aging and "Rp 150.000" in aging and 'id="report-data"' in aging
    # each cell says its column (a phone shows it beside the value), money to the right
    assert '<td data-label="31–60" class="num">Rp 150.000</td>' in aging
    assert '<td data-label="Unit">A-01</td>' in aging
    csv = manager.get("/c/alpha/manage/reports/aging?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and "A-01" in csv.content.decode("utf-8-sig")
    xlsx = manager.get("/c/alpha/manage/reports/income?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "QRIS" in cells and 100000 in cells
    pdf = manager.get("/c/alpha/manage/reports/aging?format=pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "A-01" in text and "150.000" in text
    assert manager.get("/c/alpha/manage/reports/income?format=pdf").status_code == 404
    block = manager.get(f"/c/alpha/manage/reports/collection?period={timezone.localdate():%Y-%m}")
    assert "Rp 100.000" in block.content.decode() and "20%" in block.content.decode()
    assert manager.get("/c/alpha/manage/reports/journal?start=soon").status_code == 400
    assert manager.get("/c/alpha/manage/reports/nope").status_code == 404
    api = manager.get("/c/alpha/api/v1/admin/reports/journal").json()["data"]
    assert api["rows"][0][-1] == "100000" and api["columns"][0] == "Tanggal"
    csv = manager.get("/c/alpha/api/v1/admin/reports/journal?format=csv")  # the file, not a 404
    assert csv["Content-Type"].startswith("text/csv") and "100000" in csv.content.decode()
    assert manager.get("/c/alpha/api/v1/admin/reports/income?format=pdf").status_code == 404
    assert portal["clients"]["resident"].get("/c/alpha/manage/reports/aging").status_code == 403


def test_a_manager_moves_an_invoices_due_date(portal, tenant_a) -> None:
    invoice = portal["invoice"]
    action = f"/c/alpha/invoices/{invoice.pk}/action"
    manager = portal["clients"]["manager"]
    later = invoice.due_on + timedelta(days=10)
    moved = manager.post(action, {"action": "due_on", "due_on": later.isoformat()}, follow=True)
    assert "Tagihan kini jatuh tempo" in moved.content.decode()
    garbage = manager.post(action, {"action": "due_on", "due_on": "soon"}, follow=True)
    assert "notice error" in garbage.content.decode()
    with tenant_context(tenant_a):
        assert Invoice.objects.get(pk=invoice.pk).due_on == later
