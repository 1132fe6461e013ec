"""Service clocks in WIB, WITA and WIT: around the clock, in business hours, across midnight
and weekends; the due times a new ticket gets in its complex's zone; and the watch on those
times as the wall clock runs (time-machine moves it)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from klustera.accounts.tests.factories import UserFactory
from klustera.helpdesk.models import Category, HelpdeskSettings, Ticket
from klustera.helpdesk.services import close_resolved, file_ticket, move_ticket, watch_deadlines
from klustera.helpdesk.sla import BusinessHours, due_after
from klustera.notifications.models import Message
from klustera.roles import Role
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


def test_the_watch_follows_the_wall_clock_across_midnight_telling_each_miss_once(
    tenant_a,
) -> None:
    """A high-priority complaint filed at 20:30 in Jayapura (4 h to answer, 24 h to resolve):
    its first answer is due after midnight; the managers hear once that it was missed, the
    assignee is warned before the resolution target, the managers hear once that it passed,
    and three days after it is resolved it closes by itself."""
    data = seed_complex(tenant_a, marker="alpha")
    tenant_a.time_zone = "Asia/Jayapura"
    S = Ticket.Status
    start = local("WIT", 2026, 12, 4, 20, 30)
    with time_machine.travel(start, tick=False) as clock, tenant_context(tenant_a):
        staff = UserFactory(phone="081300000081", roles=[Role.CLEANING_STAFF])
        ticket = file_ticket(
            actor=data.resident_user,
            category=Category.objects.get(name="Kebersihan"),
            priority="high",
            title="Sampah",
            description="Belum diangkut",
        )
        assert ticket.response_due == local("WIT", 2026, 12, 5, 0, 30)  # past midnight
        assert ticket.resolution_due == local("WIT", 2026, 12, 5, 20, 30)

        clock.move_to(local("WIT", 2026, 12, 5, 0, 29))
        assert watch_deadlines() == {"warned": 0, "unanswered": 0, "escalated": 0}
        clock.move_to(local("WIT", 2026, 12, 5, 0, 31))
        assert watch_deadlines()["unanswered"] == 1
        told = Message.objects.filter(template="ticket_unanswered").count()
        assert told > 0
        clock.shift(timedelta(minutes=10))
        assert watch_deadlines()["unanswered"] == 0  # once, not every run
        assert Message.objects.filter(template="ticket_unanswered").count() == told

        move_ticket(ticket=ticket, to=S.ASSIGNED, actor=data.manager, assignee=staff)
        clock.move_to(local("WIT", 2026, 12, 5, 19, 0))
        assert watch_deadlines()["warned"] == 1
        clock.move_to(local("WIT", 2026, 12, 5, 20, 31))
        assert watch_deadlines()["escalated"] == 1
        clock.shift(timedelta(hours=1))
        assert watch_deadlines() == {"warned": 0, "unanswered": 0, "escalated": 0}
        assert Message.objects.filter(template="ticket_breached").count() == told

        move_ticket(ticket=ticket, to=S.IN_PROGRESS, actor=staff)
        move_ticket(ticket=ticket, to=S.RESOLVED, actor=staff)
        clock.shift(timedelta(days=3) - timedelta(minutes=1))
        assert close_resolved() == 0
        clock.shift(timedelta(minutes=2))
        assert close_resolved() == 1
        ticket.refresh_from_db()
        assert ticket.status == S.CLOSED
        assert ticket.closed_at == local("WIT", 2026, 12, 8, 21, 32)
