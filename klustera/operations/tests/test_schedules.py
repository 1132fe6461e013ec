"""Task schedules in the complex's zone: every day, certain weekdays, the 31st that is a
month's last day, and every few hours through the night; a day's tasks made once."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from klustera.operations.models import Task, TaskTemplate
from klustera.operations.schedules import occurrences, start_hours
from klustera.operations.services import generate_tasks
from klustera.tenancy.context import tenant_context

WIB, WITA, WIT = (ZoneInfo(z) for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"))


def template(**schedule) -> TaskTemplate:
    return TaskTemplate(
        title=schedule.pop("title", "Sapu jalan"),
        at=schedule.pop("at", time(6, 30)),
        starts_on=schedule.pop("starts_on", date(2026, 1, 1)),
        **schedule,
    )


def days(t: TaskTemplate, first: date, count: int, zone: ZoneInfo = WIB) -> list[datetime]:
    found = []
    for n in range(count):
        day = date.fromordinal(first.toordinal() + n)
        found += occurrences(t, day, zone)
    return found


def test_every_day_at_its_time_in_the_complexs_zone() -> None:
    for zone in (WIB, WITA, WIT):
        [start] = occurrences(template(), date(2026, 12, 7), zone)
        assert start == datetime(2026, 12, 7, 6, 30, tzinfo=zone)
    assert occurrences(template(starts_on=date(2026, 12, 8)), date(2026, 12, 7), WIB) == []


def test_certain_weekdays_only() -> None:
    weekly = template(frequency="weekdays", weekdays=[1, 4])  # Mondays and Thursdays
    found = days(weekly, date(2026, 12, 7), 14)
    assert [d.isoweekday() for d in found] == [1, 4, 1, 4]


@pytest.mark.parametrize(
    "day_of_month,expected",
    [
        (31, [31, 28, 31, 30]),  # the 31st is the last day of shorter months
        (30, [30, 28, 30, 30]),
        (15, [15, 15, 15, 15]),
    ],
)
def test_monthly_on_a_day_that_short_months_lack(day_of_month, expected) -> None:
    monthly = template(frequency="monthly", day_of_month=day_of_month)
    found = days(monthly, date(2027, 1, 1), 120)
    assert [d.day for d in found] == expected
    assert [d.month for d in found] == [1, 2, 3, 4]


def test_every_two_hours_through_the_night() -> None:
    assert start_hours(time(22), time(5), 2) == [22, 0, 2, 4]
    nightly = template(
        frequency="hourly", at=time(22), until=time(5), every_hours=2, starts_on=date(2026, 12, 7)
    )
    first, second = (
        occurrences(nightly, date(2026, 12, 7), WIT),
        occurrences(nightly, date(2026, 12, 8), WIT),
    )
    assert [d.hour for d in first] == [22]  # the first night starts at 22:00
    assert [d.hour for d in second] == [0, 2, 4, 22]
    assert second[0].tzinfo == WIT


def test_a_days_tasks_are_made_once(in_tenant_a) -> None:
    daily = template(checklist=["Sapu", "Buang sampah"], estimated_minutes=45)
    daily.save()
    template(title="Cek lampu", frequency="weekdays", weekdays=[7]).save()  # Sundays only
    assert generate_tasks(day=date(2026, 12, 7)) == 1  # a Monday
    assert generate_tasks(day=date(2026, 12, 7)) == 0  # again: nothing new
    task = Task.objects.get()
    assert task.checklist == [
        {"item": "Sapu", "done": False},
        {"item": "Buang sampah", "done": False},
    ]
    assert (task.due_at - task.starts_at).total_seconds() == 45 * 60
    assert generate_tasks(day=date(2026, 12, 13)) == 2  # Sunday: both


def test_the_day_is_the_complexs_own(tenant_a) -> None:
    tenant_a.time_zone = "Asia/Jayapura"
    with tenant_context(tenant_a):
        template().save()
        generate_tasks(day=date(2026, 12, 7))
        assert Task.objects.get().starts_at == datetime(2026, 12, 7, 6, 30, tzinfo=WIT)


def test_the_hourly_clock_makes_today_and_tomorrow(in_tenant_a) -> None:
    from klustera.operations.tasks import make_tasks

    template(frequency="hourly", at=time(8), until=time(16), every_hours=4).save()
    assert make_tasks.func() == 6  # 08, 12, 16 today and tomorrow
    assert make_tasks.func() == 0
