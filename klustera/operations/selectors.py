"""What staff see of the operations: their own tasks and their queues'; managers see all."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from klustera.operations.models import Task
from klustera.roles import STAFF_ROLES, is_manager, roles_of


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
