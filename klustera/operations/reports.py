"""How the work went: the tasks of a week counted per day, per staff member and per area
(done, not done, still open and late), on screen, in the API and as CSV/XLSX."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from klustera.api import DayField, FilterChoice, FilterText, IdField, MonthField
from klustera.operations.models import Incident, PatrolRound, PatrolScan, Shift, Task


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


class IncidentFilters(serializers.Serializer):
    status = FilterChoice(Incident.Status.choices)
    severity = FilterChoice(Incident.Severity.choices)
    kind = FilterChoice(Incident.Kind.choices)
    month = MonthField(required=False, help_text="when it happened, YYYY-MM")


class IncidentExport(IncidentFilters):
    format = FilterChoice([("csv", "CSV"), ("xlsx", "XLSX")], help_text="CSV by default")


INCIDENT_COLUMNS = (
    gettext_lazy("Number"),
    gettext_lazy("When"),
    gettext_lazy("Type"),
    gettext_lazy("Severity"),
    gettext_lazy("Where"),
    gettext_lazy("What happened"),
    gettext_lazy("People involved"),
    gettext_lazy("Reported by"),
    gettext_lazy("Status"),
    gettext_lazy("Closed"),
)


def incident_table(incidents: Any) -> list[list[Any]]:
    """The incident log as a file holds it, in the complex's time."""
    zone = timezone.get_current_timezone()

    def local(moment: Any) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}" if moment else ""

    rows: list[list[Any]] = [[str(title) for title in INCIDENT_COLUMNS]]
    for incident in incidents:
        rows.append(
            [
                incident.pk,
                local(incident.occurred_at),
                incident.get_kind_display(),
                incident.get_severity_display(),
                incident.location,
                incident.description,
                incident.people,
                incident.reported_by.name if incident.reported_by else "",
                incident.get_status_display(),
                f"{incident.closed_at.astimezone(zone):%Y-%m-%d %H:%M}"
                if incident.closed_at
                else "",
            ]
        )
    return rows


# --- Patrol compliance and attendance, by month -------------------------------------------


class MonthQuery(serializers.Serializer):
    month = MonthField(required=False, help_text="YYYY-MM (this month)")
    format = FilterChoice([("csv", "CSV"), ("xlsx", "XLSX")], help_text="a file, not JSON")


class ComplianceQuery(MonthQuery):
    format = FilterChoice(
        [("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF")], help_text="a file, not JSON"
    )


def month_bounds(first: date) -> tuple[datetime, datetime]:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return _start_of(first), _start_of(following)


@dataclass
class RouteCompliance:
    route: str
    on_time: int = 0
    late: int = 0
    incomplete: int = 0
    pending: int = 0

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.incomplete

    @property
    def percent(self) -> int | None:
        """Rounds on time, of those judged (None: none yet)."""
        return self.on_time * 100 // self.judged if self.judged else None


@dataclass
class Compliance:
    first: date
    routes: list[RouteCompliance]
    missed: list[tuple[str, int]]  # checkpoint, rounds it was missed in: the most first
    far: int  # scans far from their checkpoint


def compliance_of(first: date) -> Compliance:
    """A month's rounds (by their start) per route, and the checkpoints most missed."""
    since, until = month_bounds(first)
    rounds = PatrolRound.objects.filter(starts_at__gte=since, starts_at__lt=until)
    routes: dict[str, RouteCompliance] = {}
    missed: Counter[str] = Counter()
    for name, status, names in rounds.values_list("route__name", "status", "missed"):
        row = routes.setdefault(name, RouteCompliance(name))
        setattr(row, status, getattr(row, status) + 1)
        missed.update(names)
    far = PatrolScan.objects.filter(scanned_at__gte=since, scanned_at__lt=until, far=True)
    return Compliance(
        first, sorted(routes.values(), key=lambda r: r.route), missed.most_common(), far.count()
    )


def compliance_table(report: Compliance) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            str(_("Route")),
            str(_("On time")),
            str(_("Late")),
            str(_("Incomplete")),
            str(_("Under way")),
            str(_("On time (%)")),
        ]
    ]
    rows += [
        [r.route, r.on_time, r.late, r.incomplete, r.pending, r.percent] for r in report.routes
    ]
    rows += [[], [str(_("Checkpoint")), str(_("Rounds missed"))]]
    rows += [[name, count] for name, count in report.missed]
    return rows


def shift_hours(shift: Any) -> Decimal:
    """A shift's hours to a tenth (an open shift: none yet)."""
    if shift.ended_at is None:
        return Decimal(0)
    seconds = int((shift.ended_at - shift.started_at).total_seconds())
    return (Decimal(seconds) / 3600).quantize(Decimal("0.1"))


@dataclass
class Attendance:
    name: str
    shifts: list[Any]

    @property
    def hours(self) -> Decimal:
        return sum((shift_hours(shift) for shift in self.shifts), Decimal(0))


def attendance_of(first: date) -> list[Attendance]:
    """The month's shifts (by their start) per staff member, by name."""
    since, until = month_bounds(first)
    shifts = Shift.objects.filter(started_at__gte=since, started_at__lt=until).select_related(
        "user"
    )
    people: dict[int, Attendance] = {}
    for shift in shifts.order_by("started_at"):
        people.setdefault(shift.user_id, Attendance(shift.user.name, [])).shifts.append(shift)
    return sorted(people.values(), key=lambda a: a.name)


def attendance_table(sheet: list[Attendance]) -> list[list[Any]]:
    zone = timezone.get_current_timezone()
    rows: list[list[Any]] = [
        [str(_("Staff member")), str(_("Check in")), str(_("Check out")), str(_("Hours"))]
    ]
    for person in sheet:
        for shift in person.shifts:
            rows.append(
                [
                    person.name,
                    f"{shift.started_at.astimezone(zone):%Y-%m-%d %H:%M}",
                    f"{shift.ended_at.astimezone(zone):%Y-%m-%d %H:%M}" if shift.ended_at else "",
                    shift_hours(shift) if shift.ended_at else "",
                ]
            )
        rows.append([person.name, "", str(_("Total")), person.hours])
    return rows
