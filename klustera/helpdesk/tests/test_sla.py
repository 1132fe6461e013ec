"""Service clocks in WIB, WITA and WIT: around the clock, in business hours, across midnight
and weekends; and the due times a new ticket gets in its complex's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from klustera.helpdesk.models import Category, HelpdeskSettings
from klustera.helpdesk.services import file_ticket
from klustera.helpdesk.sla import BusinessHours, due_after
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

OFFICE = BusinessHours(time(8), time(17))
ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(ZONES[zone]))


@pytest.mark.parametrize("zone", list(ZONES))
def test_around_the_clock_a_breach_crosses_midnight_in_every_zone(zone: str) -> None:
    filed = local(zone, 2026, 12, 1, 22, 30)  # Tuesday evening
    due = due_after(filed, 4, ZoneInfo(ZONES[zone]))
    assert due == local(zone, 2026, 12, 2, 2, 30)
    assert due.tzinfo == UTC


@pytest.mark.parametrize(
    "zone,filed,hours,due",
    [
        ("WIB", (2026, 12, 4, 16, 0), 4, (2026, 12, 7, 11, 0)),  # Friday 16:00 → Monday 11:00
        ("WITA", (2026, 12, 1, 18, 0), 2, (2026, 12, 2, 10, 0)),  # after hours → next morning
        ("WIT", (2026, 12, 5, 9, 0), 9, (2026, 12, 7, 17, 0)),  # Saturday → all of Monday
        ("WIB", (2026, 12, 1, 7, 0), 20, (2026, 12, 3, 10, 0)),  # 9 h a day: two days and 2 h
    ],
)
def test_business_hours_count_only_office_time(zone, filed, hours, due) -> None:
    assert due_after(local(zone, *filed), hours, ZoneInfo(ZONES[zone]), OFFICE) == local(zone, *due)


def test_the_same_instant_is_due_at_different_local_hours_in_each_zone() -> None:
    instant = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 16:30 WIB, 17:30 WITA, 18:30 WIT
    dues = {z: due_after(instant, 1, ZoneInfo(n), OFFICE) for z, n in ZONES.items()}
    assert dues["WIB"] == local("WIB", 2026, 12, 2, 8, 30)  # half an hour left today
    assert dues["WITA"] == local("WITA", 2026, 12, 2, 9, 0)  # closed: all of it tomorrow
    assert dues["WIT"] == local("WIT", 2026, 12, 2, 9, 0)


def test_business_hours_need_a_day_and_a_start_before_the_end() -> None:
    with pytest.raises(ValueError):
        BusinessHours(time(17), time(8))
    with pytest.raises(ValueError):
        BusinessHours(time(8), time(17), frozenset())


def test_a_new_ticket_is_due_by_its_category_and_priority_in_the_complexs_zone(
    tenant_a,
) -> None:
    data = seed_complex(tenant_a, marker="alpha")
    tenant_a.time_zone = "Asia/Makassar"
    filed = local("WITA", 2026, 12, 4, 16, 0)  # Friday afternoon
    with tenant_context(tenant_a):
        office = Category.objects.get(name="Administrasi")
        office.business_hours_only = True
        office.save()
        HelpdeskSettings.objects.create(pk=1, business_start=time(8), business_end=time(16))
        common = dict(actor=data.manager, title="Surat", description="Minta surat", now=filed)
        normal = file_ticket(category=office, priority="normal", **common)  # 24 h, office time
        urgent = file_ticket(category=office, priority="urgent", **common)  # 1 h, 24/7
        water = file_ticket(
            category=Category.objects.get(name="Air & listrik"), priority="high", **common
        )
    assert normal.response_due == local("WITA", 2026, 12, 9, 16, 0)  # 8 h a day: Wednesday
    assert urgent.response_due == local("WITA", 2026, 12, 4, 17, 0)
    assert water.resolution_due == local("WITA", 2026, 12, 5, 16, 0)
