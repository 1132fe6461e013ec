"""The manager's side: facilities made and changed (API and page), time blocked with the
bookings it covers cancelled, approvals and closing through the API, and the utilisation
report with its figures and files."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from klustera.audit.models import AuditEntry
from klustera.facilities.models import Booking, Closure, Facility
from klustera.facilities.reports import utilisation
from klustera.facilities.tests.test_booking import make_facility
from klustera.notifications.models import Message
from klustera.payments.tests.test_manual import photo
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

WIB = ZoneInfo("Asia/Jakarta")
API = "/c/alpha/api/v1/admin/facilities"


@pytest.fixture
def setup(tenant_a) -> dict[str, Any]:
    data = seed_complex(tenant_a, marker="alpha").as_dict()
    data["api"] = Client(HTTP_AUTHORIZATION=f"Bearer {data['manager_token']}")
    return data


def _body(**rules: Any) -> dict[str, Any]:
    return {
        "name": "BBQ area",
        "mode": "ranges",
        "min_minutes": 120,
        "max_minutes": 240,
        "fee_kind": "per_booking",
        "fee": "150000",
        "deposit": "100000",
        "hours": [{"weekday": d, "opens": "16:00", "closes": "23:00"} for d in (5, 6, 7)],
        **rules,
    }


def test_a_manager_adds_changes_and_retires_a_facility_through_the_api(setup, tenant_a) -> None:
    api = setup["api"]
    made = api.post(API, _body(), content_type="application/json")
    assert made.status_code == 201, made.content
    facility = made.json()["data"]
    assert [h["weekday"] for h in facility["hours"]] == [5, 6, 7]
    again = api.post(API, _body(), content_type="application/json")
    assert again.status_code == 422 and "name" in again.json()["error"]["details"]
    silly = api.post(
        API, _body(name="Aula", min_minutes=300, max_minutes=60), content_type="application/json"
    )
    assert silly.status_code == 422  # the longest booking shorter than the shortest
    odd = api.post(API, _body(name="Aula", fee="10.5"), content_type="application/json")
    assert odd.status_code == 422
    changed = api.put(
        f"{API}/{facility['id']}",
        _body(is_active=False, hours=[{"weekday": 6, "opens": "18:00", "closes": "01:00"}]),
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["data"]["is_active"] is False
    with tenant_context(tenant_a):
        bbq = Facility.objects.get(name="BBQ area")
        assert [(h.weekday, h.closes) for h in bbq.hours.all()] == [(6, time(1))]
        actions = list(AuditEntry.objects.values_list("action", flat=True))
        assert "facility.added" in actions and "facility.changed" in actions
    resident = Client(HTTP_AUTHORIZATION=f"Bearer {setup['resident_token']}")
    names = [f["name"] for f in resident.get("/c/alpha/api/v1/facilities").json()["data"]]
    assert "BBQ area" not in names  # retired: no longer offered


def test_blocking_time_cancels_the_bookings_it_covers(setup, tenant_a) -> None:
    with tenant_context(tenant_a):
        court = make_facility(name="Tenis")
        start = datetime.combine(timezone.localdate() + timedelta(days=3), time(10), WIB)
        booking = Booking.objects.create(
            facility=court,
            unit=setup["units"][0],
            booked_by=setup["resident_user"],
            start=start,
            end=start + timedelta(hours=1),
            exclusive=True,
            status="confirmed",
        )
    url = f"{API}/{court.pk}/closures"
    backwards = {"start": start.isoformat(), "end": (start - timedelta(hours=1)).isoformat()}
    bad = setup["api"].post(url, {**backwards, "reason": "x"}, content_type="application/json")
    assert bad.status_code == 422
    day = {
        "start": (start - timedelta(hours=4)).isoformat(),
        "end": (start + timedelta(hours=8)).isoformat(),
    }
    closed = setup["api"].post(
        url, {**day, "reason": "Perbaikan net"}, content_type="application/json"
    )
    assert closed.status_code == 201, closed.content
    assert closed.json()["data"]["cancelled"] == 1
    assert len(setup["api"].get(url).json()["data"]) == 1
    with tenant_context(tenant_a):
        booking.refresh_from_db()
        assert (booking.status, booking.reason) == ("cancelled", "Perbaikan net")
        assert Message.objects.filter(template="booking_cancelled").exists()
        assert Closure.objects.count() == 1


def test_approvals_and_closing_through_the_api(setup, tenant_a) -> None:
    with tenant_context(tenant_a):
        hall = make_facility(name="Aula", needs_approval=True)
        start = datetime.combine(timezone.localdate() + timedelta(days=3), time(10), WIB)
        waiting = Booking.objects.create(
            facility=hall,
            unit=setup["units"][0],
            booked_by=setup["resident_user"],
            start=start,
            end=start + timedelta(hours=1),
            exclusive=True,
            status="pending_approval",
        )
    api = setup["api"]
    queue = api.get(f"{API}/approvals").json()["data"]
    assert [b["id"] for b in queue] == [waiting.pk]
    decide = f"{API}/bookings/{waiting.pk}/decision"
    no_reason = api.post(decide, {"approve": False}, content_type="application/json")
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["details"]["codes"] == {"reason": ["reason_required"]}
    assert api.post(decide, {"approve": True}, content_type="application/json").status_code == 200
    twice = api.post(decide, {"approve": True}, content_type="application/json")
    assert twice.status_code == 409
    early = api.post(f"{API}/bookings/{waiting.pk}/close", {}, content_type="application/json")
    assert early.status_code == 409  # it has not started


def test_the_utilisation_report_counts_what_was_used(setup, tenant_a) -> None:
    with tenant_context(tenant_a):
        monday = date(2026, 11, 2)
        court = make_facility(name="Tenis", hours={1: (time(8), time(18))})  # Mondays 10 h
        pool = make_facility(name="Kolam", capacity=10, hours={1: (time(8), time(18))})
        for hour, status, party in ((8, "closed", 1), (9, "no_show", 1), (10, "cancelled", 1)):
            start = datetime.combine(monday, time(hour), WIB)
            Booking.objects.create(
                facility=court,
                unit=setup["units"][0],
                start=start,
                end=start + timedelta(hours=2),
                exclusive=True,
                status=status,
                fee=Decimal(50_000),
                party_size=party,
            )
        start = datetime.combine(monday, time(8), WIB)
        Booking.objects.create(
            facility=pool,
            unit=setup["units"][1],
            start=start,
            end=start + timedelta(hours=5),
            exclusive=False,
            status="confirmed",
            party_size=4,
        )
        report = utilisation(monday, monday)
        rows = {row.facility.name: row for row in report.facilities}
        assert (rows["Tenis"].occupancy, rows["Tenis"].bookings) == (Decimal("40.0"), 2)
        assert (rows["Tenis"].no_shows, rows["Tenis"].cancelled) == (1, 1)
        assert rows["Tenis"].income == Decimal(100_000)
        assert rows["Kolam"].occupancy == Decimal("20.0")  # 20 of 100 person-hours
        assert [u.unit for u in report.units] == ["A-01", "A-02"]
    answer = setup["api"].get(f"{API}/report?start=2026-11-02&end=2026-11-02")
    assert answer.status_code == 200, answer.content
    tenis = next(r for r in answer.json()["data"]["facilities"] if r["name"] == "Tenis")
    assert tenis["occupancy_percent"] == "40.0" and tenis["income"] == "100000"
    csv = setup["api"].get(f"{API}/report?start=2026-11-02&end=2026-11-02&format=csv")
    assert csv["Content-Type"].startswith("text/csv") and b"Tenis" in csv.content
    too_long = setup["api"].get(f"{API}/report?start=2025-01-01&end=2026-11-02")
    assert too_long.status_code == 422


def test_a_manager_makes_a_facility_and_blocks_time_in_the_portal(portal, tenant_a) -> None:
    manager = portal["clients"]["manager"]
    form = {
        "name": "Lapangan basket",
        "is_active": "on",
        "mode": "slots",
        "slot_minutes": "60",
        "min_minutes": "60",
        "max_minutes": "120",
        "buffer_minutes": "0",
        "lead_min_hours": "2",
        "lead_max_days": "30",
        "eligibility": "residents",
        "fee_kind": "free",
        "fee": "0",
        "deposit": "0",
        "free_cancel_hours": "24",
        "late_cancel_fee": "0",
        "opens_6": "07:00",
        "closes_6": "",
    }
    half = manager.post("/c/alpha/manage/facilities/new/", form).content.decode()
    assert "Isi kedua jam" in half  # one time of Saturday left out
    saved = manager.post("/c/alpha/manage/facilities/new/", {**form, "closes_6": "21:00"})
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        court = Facility.objects.get(name="Lapangan basket")
        assert [(h.weekday, h.opens, h.closes) for h in court.hours.all()] == [
            (6, time(7), time(21))
        ]
    listing = manager.get("/c/alpha/manage/facilities/").content.decode()
    assert "Lapangan basket" in listing
    day = timezone.localdate() + timedelta(days=5)
    blocked = manager.post(
        f"/c/alpha/manage/facilities/{court.pk}/closures",
        {"start": f"{day}T00:00", "end": f"{day}T23:59", "reason": "Pengecatan"},
        follow=True,
    ).content.decode()
    assert "Pengecatan" in blocked and "0 booking" in blocked
    report = manager.get("/c/alpha/manage/facilities/report/").content.decode()
    assert "Lapangan basket" in report


def test_a_facility_shows_its_photos_to_residents(portal, tenant_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    manager, resident = portal["clients"]["manager"], portal["clients"]["resident"]
    with tenant_context(tenant_a):
        pool = make_facility(name="Kolam renang", capacity=30)
    page = f"/c/alpha/manage/facilities/{pool.pk}/photos"
    manager.post(page, {"photos": [photo("a.png"), photo("b.png")]})
    with tenant_context(tenant_a):
        first, second = pool.photos.all()
    seen = resident.get(f"/c/alpha/facilities/{pool.pk}/").content.decode()
    assert f"/c/alpha/facilities/photos/{first.pk}?size=thumb" in seen
    image = resident.get(f"/c/alpha/facilities/photos/{first.pk}")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {portal['manager_token']}")
    assert len(api.get("/c/alpha/api/v1/facilities").json()["data"][0]["photos"]) == 2
    too_many = api.post(
        f"/c/alpha/api/v1/admin/facilities/{pool.pk}/photos",
        {"photos": [photo(f"{n}.png") for n in range(4)]},
    )
    assert too_many.status_code == 422
    assert too_many.json()["error"]["details"]["codes"] == {"photos": ["too_many_photos"]}
    not_a_photo = api.post(
        f"/c/alpha/api/v1/admin/facilities/{pool.pk}/photos",
        {"photos": [SimpleUploadedFile("x.png", b"not an image", "image/png")]},
    )
    assert not_a_photo.status_code == 422
    assert api.delete(f"/c/alpha/api/v1/admin/facilities/photos/{second.pk}").status_code == 200
    manager.post(f"/c/alpha/manage/facilities/photos/{first.pk}/remove")
    with tenant_context(tenant_a):
        assert not pool.photos.exists()
    assert resident.get(f"/c/alpha/facilities/photos/{first.pk}").status_code == 404


def test_a_holiday_is_charged_at_the_weekend_fee(setup, tenant_a) -> None:
    api = setup["api"]
    day = timezone.localdate() + timedelta(days=9)
    while day.isoweekday() >= 5:  # Monday to Thursday: only the holiday makes it dearer
        day += timedelta(days=1)
    made = api.post(
        f"{API}/holidays", {"day": f"{day}", "name": "Hari Raya"}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    again = api.post(
        f"{API}/holidays", {"day": f"{day}", "name": "Lagi"}, content_type="application/json"
    )
    assert again.json()["error"]["details"]["codes"] == {"day": ["holiday_exists"]}
    with tenant_context(tenant_a):
        hall = make_facility(
            name="Aula", fee_kind="per_booking", fee=Decimal(100_000), weekend_fee=Decimal(150_000)
        )
    resident = Client(HTTP_AUTHORIZATION=f"Bearer {setup['resident_token']}")
    week = resident.get(
        f"/c/alpha/api/v1/facilities/{hall.pk}/availability?start={day}&end={day}"
    ).json()["data"]
    assert week[0]["holiday"] == "Hari Raya"
    for offset, fee in ((0, "150000"), (1, "100000")):
        start = datetime.combine(day + timedelta(days=offset), time(10), WIB)
        booked = resident.post(
            f"/c/alpha/api/v1/facilities/{hall.pk}/bookings",
            {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
            content_type="application/json",
        )
        assert booked.status_code == 201, booked.content
        assert booked.json()["data"]["fee"] == fee
    gone = api.delete(f"{API}/holidays/{made.json()['data']['id']}")
    assert gone.status_code == 200 and api.get(f"{API}/holidays").json()["data"] == []
