"""The facilities' pages: a resident finds a free time and books it, pays and sees it
confirmed; the manager approves on the calendar; a guard sees who is expected."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from klustera.billing.services import record_payment
from klustera.facilities.models import Booking
from klustera.facilities.tests.test_booking import make_facility
from klustera.tenancy.context import tenant_context

WIB = ZoneInfo("Asia/Jakarta")


def test_a_resident_books_pays_and_the_manager_and_the_guard_see_it(portal, tenant_a) -> None:
    resident, manager, guard = (portal["clients"][r] for r in ("resident", "manager", "guard"))
    day = timezone.localdate() + timedelta(days=2)
    with tenant_context(tenant_a):
        hall = make_facility(
            name="Clubhouse",
            mode="ranges",
            fee_kind="per_booking",
            fee=Decimal(300_000),
            needs_approval=True,
            rules="Dilarang merokok",
        )
    listing = resident.get("/c/alpha/facilities/").content.decode()
    assert "Clubhouse" in listing and "Rp 300.000" in listing
    week = resident.get(f"/c/alpha/facilities/{hall.pk}/").content.decode()
    assert "Dilarang merokok" in week and 'class="slot free"' in week
    prefilled = resident.get(
        f"/c/alpha/facilities/{hall.pk}/?day={day:%Y-%m-%d}&start=19:00&end=22:00"
    ).content.decode()
    assert 'value="19:00"' in prefilled
    unit = portal["units"][0].pk  # a hidden field when one lives in one unit
    form = {"day": f"{day:%Y-%m-%d}", "start": "19:00", "end": "22:00", "party_size": "1"}
    missing = resident.post(f"/c/alpha/facilities/{hall.pk}/", form).content.decode()
    assert 'role="alert">Untuk unit:' in missing
    form["unit"] = unit
    booked = resident.post(f"/c/alpha/facilities/{hall.pk}/", form, follow=True)
    page = booked.content.decode()
    assert booked.redirect_chain[-1][0].startswith("/c/alpha/bookings/")
    assert "Menunggu pembayaran" in page and "Bayar" in page  # held: pay within 30 minutes
    with tenant_context(tenant_a):
        booking = Booking.objects.get()
        record_payment(
            unit=booking.unit, amount=Decimal(300_000), method="qris", for_invoice=booking.invoice
        )
    # Someone else wants the same evening: taken, and told the next free times.
    taken = manager.post(
        f"/c/alpha/facilities/{hall.pk}/", {**form, "unit": portal["units"][1].pk}
    ).content.decode()
    assert "Waktu itu sudah dipesan." in taken and "Yang masih kosong:" in taken
    calendar = manager.get(f"/c/alpha/manage/facilities/calendar/?from={day:%Y-%m-%d}")
    assert "Menunggu persetujuan" in calendar.content.decode()
    manager.post(f"/c/alpha/bookings/{booking.pk}/action", {"action": "approve"})
    with tenant_context(tenant_a):
        booking.refresh_from_db()
        assert booking.status == "confirmed"
    # The resident may not approve or close; a guard sees the evening's party.
    refused = resident.post(f"/c/alpha/bookings/{booking.pk}/action", {"action": "close"})
    assert refused.status_code == 403
    with tenant_context(tenant_a):
        start = datetime.combine(timezone.localdate() + timedelta(days=1), time(10), WIB)
        Booking.objects.create(
            facility=hall,
            unit=portal["units"][0],
            start=start,
            end=start + timedelta(hours=2),
            party_size=12,
            exclusive=True,
            status="confirmed",
        )
    ahead = guard.get("/c/alpha/facilities/today/").content.decode()
    assert "Clubhouse" in ahead and "12 orang" in ahead
    assert resident.get("/c/alpha/facilities/today/").status_code == 403


def test_an_evening_past_midnight_is_booked_from_the_form(portal, tenant_a) -> None:
    day = timezone.localdate() + timedelta(days=3)
    with tenant_context(tenant_a):
        late = make_facility(
            name="Lounge",
            mode="ranges",
            max_minutes=360,
            hours={d: (time(18), time(2)) for d in range(1, 8)},
        )
    form = {
        "day": f"{day:%Y-%m-%d}",
        "start": "22:00",
        "end": "01:00",
        "party_size": "1",
        "unit": portal["units"][0].pk,
    }
    answer = portal["clients"]["resident"].post(f"/c/alpha/facilities/{late.pk}/", form)
    assert answer.status_code == 302
    with tenant_context(tenant_a):
        booking = Booking.objects.get()
        assert booking.status == "confirmed"
        assert booking.end - booking.start == timedelta(hours=3)
    bad = portal["clients"]["resident"].post(
        f"/c/alpha/facilities/{late.pk}/", {**form, "start": "12:00", "end": "13:00"}
    )
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
