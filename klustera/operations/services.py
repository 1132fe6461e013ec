"""Staff operations' use cases: the day's tasks made from the templates' schedules."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from klustera.operations.models import Task, TaskTemplate
from klustera.operations.schedules import occurrences
from klustera.tenancy.context import current_tenant, tenant_atomic


def _zone() -> ZoneInfo:
    tenant = current_tenant()
    return ZoneInfo(tenant.time_zone if tenant else "Asia/Jakarta")


def generate_tasks(*, day: date) -> int:
    """Make the local ``day``'s tasks of every active template; a task already made (an
    earlier run, a second worker) is left as it is. How many were made."""
    zone = _zone()
    templates = TaskTemplate.objects.filter(is_active=True, starts_on__lte=day)
    tasks = [
        Task(
            template=template,
            title=template.title,
            area=template.area,
            checklist=[{"item": item, "done": False} for item in template.checklist],
            photo_required=template.photo_required,
            assignee=template.assignee,
            queue=template.queue,
            starts_at=start,
            due_at=start + timedelta(minutes=template.estimated_minutes),
        )
        for template in templates
        for start in occurrences(template, day, zone)
    ]
    with tenant_atomic():
        before = Task.objects.filter(template__isnull=False).count()
        Task.objects.bulk_create(tasks, ignore_conflicts=True)
        return Task.objects.filter(template__isnull=False).count() - before
