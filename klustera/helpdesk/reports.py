"""The helpdesk report: what is open, how often the targets were met, how fast the first
answer and the fix came, how residents rated the work, and the weekly trend.

Figures are of the tickets filed in the period (cancelled ones left out). A ticket counts for
its resolution target once the target is due or the ticket resolved; it met the target when it
was resolved by then. Times are wall-clock hours, medians of the tickets that got there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any, cast

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.helpdesk.models import Ticket

S = Ticket.Status
UNFINISHED = (S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED)


@dataclass
class Figures:
    """One line of the report: a category, a staff member, or all of them."""

    name: str
    open_now: int = 0
    filed: int = 0
    due: int = 0  # targets that came due (or were met early) in the period
    met: int = 0
    response_hours: list[float] = field(default_factory=list)
    resolution_hours: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    @property
    def compliance(self) -> int | None:
        """Targets met, as a whole percentage of those due (none due: no figure)."""
        return round(self.met * 100 / self.due) if self.due else None

    @property
    def median_response(self) -> Decimal | None:
        return _hours(self.response_hours)

    @property
    def median_resolution(self) -> Decimal | None:
        return _hours(self.resolution_hours)

    @property
    def satisfaction(self) -> Decimal | None:
        """The average rating, to one decimal."""
        if not self.ratings:
            return None
        return (Decimal(sum(self.ratings)) / len(self.ratings)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )

    def cells(self) -> list[Any]:
        return [
            self.name,
            self.open_now,
            self.filed,
            self.due,
            self.met,
            self.compliance,
            self.median_response,
            self.median_resolution,
            self.satisfaction,
        ]


def _hours(values: list[float]) -> Decimal | None:
    return Decimal(median(values)).quantize(Decimal("0.1"), ROUND_HALF_UP) if values else None


@dataclass
class HelpdeskReport:
    start: date
    end: date
    total: Figures
    categories: list[Figures]
    staff: list[Figures]
    weeks: list[dict[str, Any]]  # {"week": its Monday, "filed": n, "resolved": n}

    @staticmethod
    def columns() -> list[str]:
        return [
            _("Name"),
            _("Open now"),
            _("Filed"),
            _("Targets due"),
            _("Targets met"),
            _("Met (%)"),
            _("Median first answer (hours)"),
            _("Median resolution (hours)"),
            _("Rating (1–5)"),
        ]

    def table(self) -> list[list[Any]]:
        """The report as a file holds it: a group column, then the figures."""
        rows: list[list[Any]] = [[_("Group"), *self.columns()]]
        rows += [[_("Category"), *line.cells()] for line in self.categories]
        rows += [[_("Staff"), *line.cells()] for line in self.staff]
        rows.append([_("Total"), *self.total.cells()])
        return rows

    def chart(self) -> dict[str, Any]:
        """The weekly trend for the chart: tickets filed and resolved."""
        return {
            "unit": "count",
            "labels": [f"{week['week']:%d/%m}" for week in self.weeks],
            "datasets": [
                {"label": _("Filed"), "data": [week["filed"] for week in self.weeks]},
                {"label": _("Resolved"), "data": [week["resolved"] for week in self.weeks]},
            ],
        }


def helpdesk_report(
    start: date | None = None, end: date | None = None, *, now: datetime | None = None
) -> HelpdeskReport:
    """The report of the tickets filed from ``start`` to ``end`` (local days, both included;
    by default the last 12 weeks), with what is open now."""
    now = now or timezone.now()
    end = end or timezone.localdate(now)
    start = start or end - timedelta(weeks=12) + timedelta(days=1)
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, datetime.min.time(), zone)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)

    total = Figures(_("All"))
    categories: dict[str, Figures] = {}
    staff: dict[int, Figures] = {}
    open_now = (
        Ticket.objects.filter(status__in=UNFINISHED)
        .values("category__name", "assignee_id", "assignee__name")
        .annotate(n=Count("pk"))
    )
    for row in open_now:
        for line in _lines(row, total, categories, staff):
            line.open_now += row["n"]

    weeks: dict[date, dict[str, int]] = defaultdict(lambda: {"filed": 0, "resolved": 0})
    tickets = Ticket.objects.filter(created_at__gte=since, created_at__lt=until).exclude(
        status=S.CANCELLED
    )
    fields = [
        "category__name",
        "assignee_id",
        "assignee__name",
        "created_at",
        "first_response_at",
        "resolved_at",
        "resolution_due",
        "rating",
    ]
    for row in tickets.values(*fields).iterator(chunk_size=2000):
        created, resolved = row["created_at"], row["resolved_at"]
        came_due = resolved is not None or row["resolution_due"] <= now
        met = resolved is not None and resolved <= row["resolution_due"]
        week = _monday(created, zone)
        weeks[week]["filed"] += 1
        for line in _lines(row, total, categories, staff):
            line.filed += 1
            line.due += came_due
            line.met += met
            if row["first_response_at"] is not None:
                line.response_hours.append(_span(created, row["first_response_at"]))
            if resolved is not None:
                line.resolution_hours.append(_span(created, resolved))
            if row["rating"] is not None:
                line.ratings.append(row["rating"])
    resolved_weekly = (
        Ticket.objects.filter(resolved_at__gte=since, resolved_at__lt=until)
        .values_list("resolved_at", flat=True)
        .iterator(chunk_size=2000)
    )
    for resolved in resolved_weekly:
        weeks[_monday(cast(datetime, resolved), zone)]["resolved"] += 1  # never None here
    first, last = _monday(since, zone), _monday(until - timedelta(seconds=1), zone)
    return HelpdeskReport(
        start=start,
        end=end,
        total=total,
        categories=sorted(categories.values(), key=lambda line: line.name),
        staff=sorted(staff.values(), key=lambda line: line.name),
        weeks=[
            {"week": week, "filed": weeks[week]["filed"], "resolved": weeks[week]["resolved"]}
            for week in _mondays(first, last)
        ],
    )


def _lines(
    row: Mapping[str, Any],
    total: Figures,
    categories: dict[str, Figures],
    staff: dict[int, Figures],
) -> list[Figures]:
    """The report's lines a ticket counts in: all, its category, its assignee (if any)."""
    name = row["category__name"]
    lines = [total, categories.setdefault(name, Figures(name))]
    if row["assignee_id"] is not None:
        person = row["assignee_id"]
        lines.append(staff.setdefault(person, Figures(row["assignee__name"])))
    return lines


def _span(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0) / 3600


def _monday(moment: datetime, zone: Any) -> date:
    day = timezone.localtime(moment, zone).date()
    return day - timedelta(days=day.weekday())


def _mondays(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
