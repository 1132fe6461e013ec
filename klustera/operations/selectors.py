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
    since = datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())
    return tasks_visible_to(user).filter(
        starts_at__gte=since, starts_at__lt=since + timedelta(days=1)
    )


def access_task(user: Any, pk: Any) -> Task:
    return get_object_or_404(tasks_visible_to(user), pk=pk)
