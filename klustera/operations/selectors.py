"""What staff see of the operations: their own tasks and their queues' (managers: all), and
the night's patrol rounds with their checkpoints' scans."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from klustera.operations.models import (
    Checkpoint,
    Incident,
    PatrolRound,
    PatrolScan,
    RouteStop,
    Task,
)
from klustera.roles import STAFF_ROLES, guards_the_gate, is_manager, is_staff_member, roles_of


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    """Managers: every task. Staff: theirs, and those of their role's queue no one holds."""
    tasks = Task.objects.select_related("assignee").prefetch_related("photos")
    if is_manager(user):
        return tasks
    queues = [role for role in roles_of(user) if role in STAFF_ROLES]
    if not queues:
        return tasks.none()
    return tasks.filter(Q(assignee=user) | Q(assignee__isnull=True, queue__in=queues))


def tasks_of_day(user: Any, day: date) -> QuerySet[Task]:
    """The tasks one sees that start on the complex's ``day``."""
    return filter_tasks(tasks_visible_to(user), {"day": day})


def access_task(user: Any, pk: Any) -> Task:
    return get_object_or_404(tasks_visible_to(user), pk=pk)


def filter_tasks(tasks: QuerySet[Task], filters: dict[str, Any]) -> QuerySet[Task]:
    """A day's tasks (today by default) narrowed by status ("late": open past due), area and
    person (given to, or done by)."""
    since = datetime.combine(
        filters.get("day") or timezone.localdate(),
        datetime.min.time(),
        timezone.get_current_timezone(),
    )
    tasks = tasks.filter(starts_at__gte=since, starts_at__lt=since + timedelta(days=1))
    status = filters.get("status")
    if status == "late":
        tasks = tasks.filter(status=Task.Status.OPEN, due_at__lt=timezone.now())
    elif status:
        tasks = tasks.filter(status=status)
    if filters.get("area"):
        tasks = tasks.filter(area=filters["area"])
    if filters.get("assignee"):
        person = filters["assignee"]
        tasks = tasks.filter(Q(assignee_id=person) | Q(completed_by_id=person))
    return tasks.select_related("completed_by")


# --- Patrols -----------------------------------------------------------------------------


def night_bounds(night: date) -> tuple[datetime, datetime]:
    """A night runs from noon of its day to noon of the next, in the complex's zone."""
    noon = datetime.combine(night, time(12), timezone.get_current_timezone())
    return noon, noon + timedelta(days=1)


def current_night() -> date:
    """The night under way (before noon: the one that began yesterday)."""
    return (timezone.localtime() - timedelta(hours=12)).date()


@dataclass
class Visit:
    checkpoint: Checkpoint
    scan: PatrolScan | None
    in_time: bool


@dataclass
class RoundView:
    patrol_round: PatrolRound
    visits: list[Visit]

    @property
    def done(self) -> int:
        return sum(visit.scan is not None for visit in self.visits)


def rounds_of_night(night: date) -> list[RoundView]:
    """The night's rounds, each with its checkpoints and their first scan in its time."""
    since, until = night_bounds(night)
    rounds = PatrolRound.objects.filter(starts_at__gte=since, starts_at__lt=until).select_related(
        "route"
    )
    stops = defaultdict(list)
    for stop in RouteStop.objects.select_related("checkpoint").filter(
        route__in={r.route_id for r in rounds}
    ):
        stops[stop.route_id].append(stop.checkpoint)
    scans = list(
        PatrolScan.objects.filter(scanned_at__gte=since, scanned_at__lt=until + timedelta(hours=12))
        .select_related("guard")
        .order_by("scanned_at", "pk")
    )
    views = []
    for patrol_round in rounds:
        visits = []
        for checkpoint in stops[patrol_round.route_id]:
            scan = next(
                (
                    s
                    for s in scans
                    if s.checkpoint_id == checkpoint.pk
                    and patrol_round.starts_at <= s.scanned_at < patrol_round.closes_at
                ),
                None,
            )
            visits.append(
                Visit(checkpoint, scan, scan is not None and scan.scanned_at < patrol_round.due_at)
            )
        views.append(RoundView(patrol_round, visits))
    return views


def scans_of_night(night: date) -> QuerySet[PatrolScan]:
    since, until = night_bounds(night)
    return PatrolScan.objects.filter(scanned_at__gte=since, scanned_at__lt=until).select_related(
        "checkpoint", "guard"
    )


@dataclass
class PlanPoint:
    label: str
    x: float  # percent of the plan's width, west to east
    y: float  # percent of its height, north to south
    kind: str  # "checkpoint", "scan" or "far"


def positions(checkpoints: Any, scans: list[PatrolScan]) -> list[tuple[str, Any, Any, str]]:
    """The checkpoints and scans that have a position: label, latitude, longitude, kind
    ("checkpoint", "scan", or "far": a scan far from its checkpoint)."""
    placed: list[tuple[str, Any, Any, str]] = [
        (c.name, c.latitude, c.longitude, "checkpoint")
        for c in checkpoints
        if c.latitude is not None
    ]
    placed += [
        (
            f"{s.checkpoint.name} {timezone.localtime(s.scanned_at):%H:%M}",
            s.latitude,
            s.longitude,
            "far" if s.far else "scan",
        )
        for s in scans
        if s.latitude is not None and s.longitude is not None
    ]
    return placed


def plan_points(placed: list[tuple[str, Any, Any, str]]) -> list[PlanPoint]:
    """Positions placed on a square plan of the complex (the map without tiles): the box
    around them, with a margin."""
    if not placed:
        return []
    lats = [float(p[1]) for p in placed]
    lons = [float(p[2]) for p in placed]
    span = max(max(lats) - min(lats), max(lons) - min(lons)) or 0.001
    south, west = min(lats), min(lons)
    return [
        PlanPoint(
            label,
            round(5 + 90 * (float(lon) - west) / span, 2),
            round(95 - 90 * (float(lat) - south) / span, 2),
            kind,
        )
        for label, lat, lon, kind in placed
    ]


# --- Incidents -------------------------------------------------------------------------


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    """Managers and guards: every incident. Other staff: those they reported."""
    incidents = Incident.objects.select_related("reported_by", "ticket").prefetch_related("photos")
    if guards_the_gate(user):
        return incidents
    if is_staff_member(user):
        return incidents.filter(reported_by=user)
    return incidents.none()


def filter_incidents(incidents: QuerySet[Incident], filters: dict[str, Any]) -> QuerySet[Incident]:
    """By status, severity, kind and month (``YYYY-MM``, the complex's)."""
    for name in ("status", "severity", "kind"):
        if filters.get(name):
            incidents = incidents.filter(**{name: filters[name]})
    if filters.get("month"):
        first = filters["month"]
        zone = timezone.get_current_timezone()
        since = datetime.combine(first, time(), zone)
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        until = datetime.combine(following, time(), zone)
        incidents = incidents.filter(occurred_at__gte=since, occurred_at__lt=until)
    return incidents


def access_incident(user: Any, pk: Any) -> Incident:
    return get_object_or_404(incidents_visible_to(user), pk=pk)
