"""How the work went: the tasks of a week counted per day, per staff member and per area
(done, not done, still open and late), on screen, in the API and as CSV/XLSX."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from klustera.api import DayField, FilterChoice, FilterText, IdField
from klustera.operations.models import Task


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())


def tasks_between(first: date, last: date) -> Any:
    """The tasks starting on the complex's days ``first`` to ``last`` (included)."""
    return Task.objects.filter(
        starts_at__gte=_start_of(first), starts_at__lt=_start_of(last + timedelta(days=1))
    )


@dataclass
class Tally:
    label: str
    done: int = 0
    not_done: int = 0
    open: int = 0
    late: int = 0  # of the open ones, past their due time

    @property
    def total(self) -> int:
        return self.done + self.not_done + self.open

    @property
    def percent(self) -> int | None:
        """The share done, rounded down (None: nothing to do)."""
        return self.done * 100 // self.total if self.total else None

    def count(self, task: Task, now: datetime) -> None:
        if task.status == Task.Status.DONE:
            self.done += 1
        elif task.status == Task.Status.NOT_DONE:
            self.not_done += 1
        else:
            self.open += 1
            self.late += task.due_at < now


@dataclass
class Week:
    first: date
    days: list[Tally]
    staff: list[Tally]
    areas: list[Tally]

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6)


def week_of(day: date) -> Week:
    """The week (Monday to Sunday) holding ``day``: each task counted once under its day,
    under the person who finished it (else the one it was given to, else its queue) and
    under its area."""
    first = day - timedelta(days=day.weekday())
    now = timezone.now()
    dates = [first + timedelta(days=n) for n in range(7)]
    days = {day: Tally(f"{day:%Y-%m-%d}") for day in dates}
    staff: dict[str, Tally] = defaultdict(lambda: Tally(""))
    areas: dict[str, Tally] = defaultdict(lambda: Tally(""))
    tasks = tasks_between(first, first + timedelta(days=6)).select_related(
        "assignee", "completed_by"
    )
    zone = timezone.get_current_timezone()
    for task in tasks.only(
        "status", "starts_at", "due_at", "area", "queue", "assignee__name", "completed_by__name"
    ):
        days[task.starts_at.astimezone(zone).date()].count(task, now)
        who = task.completed_by or task.assignee
        name = who.name if who else _("Queue: %(queue)s") % {"queue": task.queue}
        for tallies, key in ((staff, name), (areas, task.area or _("No area"))):
            tallies[key].label = key
            tallies[key].count(task, now)
    return Week(
        first,
        list(days.values()),
        sorted(staff.values(), key=lambda t: t.label),
        sorted(areas.values(), key=lambda t: t.label),
    )


COLUMNS = (
    gettext_lazy("Done"),
    gettext_lazy("Not done"),
    gettext_lazy("Open"),
    gettext_lazy("Late"),
    gettext_lazy("Done (%)"),
)


def week_table(week: Week) -> list[list[Any]]:
    """The week as a file holds it: the three tables one under another, each with its
    heading row."""
    rows: list[list[Any]] = []
    for title, tallies in (
        (_("Day"), week.days),
        (_("Staff member"), week.staff),
        (_("Area"), week.areas),
    ):
        rows.append([title, *(str(column) for column in COLUMNS)])
        rows += [[t.label, t.done, t.not_done, t.open, t.late, t.percent] for t in tallies]
        rows.append([])
    return rows[:-1]


def week_data(week: Week) -> dict[str, Any]:
    """The week as the API answers it."""

    def tallies(rows: list[Tally]) -> list[dict[str, Any]]:
        return [
            {
                "label": t.label,
                "done": t.done,
                "not_done": t.not_done,
                "open": t.open,
                "late": t.late,
                "done_percent": t.percent,
            }
            for t in rows
        ]

    return {
        "start": week.first,
        "end": week.last,
        "days": tallies(week.days),
        "staff": tallies(week.staff),
        "areas": tallies(week.areas),
    }


class WeekQuery(serializers.Serializer):
    week = DayField(required=False, help_text="any day of the week (this week)")
    format = FilterChoice([("csv", "CSV"), ("xlsx", "XLSX")], help_text="a file, not JSON")


STATUSES = [*Task.Status.choices, ("late", gettext_lazy("Late"))]


class TaskFilters(serializers.Serializer):
    day = DayField(required=False, help_text="the complex's day (today)")
    status = FilterChoice(STATUSES)
    area = FilterText(max_length=80)
    assignee = IdField(required=False, help_text="given to, or done by, this user")


class NightQuery(serializers.Serializer):
    night = DayField(required=False, help_text="the day the night began (tonight)")
