"""The facilities API: the list, a week's availability, booking for one's unit, a taken time
answered with the next free ones, one's bookings, cancelling."""

from __future__ import annotations

from datetime import time, timedelta

from django.test import Client
from django.utils import timezone

from klustera.facilities.models import Facility, OpeningHours
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"


def test_a_resident_books_a_free_slot_and_a_neighbour_finds_it_taken(tenant_a) -> None:
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        court = Facility.objects.create(name="Lapangan tenis", lead_min_hours=0)
        OpeningHours.objects.bulk_create(
            OpeningHours(facility=court, weekday=day, opens=time(6), closes=time(22))
            for day in range(1, 8)
        )
        Facility.objects.create(name="Aula lama", is_active=False)
        tomorrow = timezone.localdate() + timedelta(days=1)
    resident = Client(HTTP_AUTHORIZATION=f"Bearer {data.resident_token}")
    manager = Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")
    listed = resident.get(f"{BASE}/facilities").json()
    assert [row["name"] for row in listed["data"]] == ["Lapangan tenis"]  # not the retired one
    assert manager.get(f"{BASE}/facilities").json()["meta"]["total"] == 2

    week = resident.get(f"{BASE}/facilities/{court.pk}/availability").json()["data"]
    assert len(week) == 7 and len(week[1]["slots"]) == 16  # 06:00 to 22:00, hourly
    slot = week[1]["slots"][4]  # 10:00 tomorrow
    assert slot["state"] == "free" and slot["start"].startswith(f"{tomorrow}T10:00")

    body = {"start": slot["start"], "end": slot["end"], "note": "Latihan"}
    booked = resident.post(f"{BASE}/facilities/{court.pk}/bookings", body, "application/json")
    assert booked.status_code == 201, booked.content
    assert booked.json()["data"]["status"] == "confirmed"
    again = manager.post(
        f"{BASE}/facilities/{court.pk}/bookings",
        {**body, "unit": data.units[1].pk},
        "application/json",
    )
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["details"]["codes"] == {"start": ["slot_taken"]}
    assert error["details"]["next_free"][0].startswith(f"{tomorrow}T11:00")
    taken = resident.get(f"{BASE}/facilities/{court.pk}/availability").json()["data"][1]
    assert taken["slots"][4] == {**slot, "state": "full", "places": 0}  # never who

    backwards = resident.post(
        f"{BASE}/facilities/{court.pk}/bookings",
        {"start": slot["end"], "end": slot["start"]},
        "application/json",
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["details"]["codes"] == {"end": ["booking_ends_first"]}
    too_long = resident.get(
        f"{BASE}/facilities/{court.pk}/availability", {"start": "2026-01-01", "end": "2026-03-01"}
    )
    assert too_long.status_code == 422

    mine = resident.get(f"{BASE}/bookings").json()["data"]
    assert [row["note"] for row in mine] == ["Latihan"]
    cancel = f"{BASE}/bookings/{mine[0]['id']}/cancel"
    assert (
        resident.post(cancel, {"reason": "Hujan"}, "application/json").json()["data"]["status"]
        == "cancelled"
    )
    assert resident.post(cancel, {}, "application/json").status_code == 409
