"""What staff see of the operations: their own tasks and their queues'; managers see all."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

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


def access_task(user: Any, pk: Any) -> Task:
    return get_object_or_404(tasks_visible_to(user), pk=pk)
