"""Staff operations' use cases: the day's tasks made from the templates' schedules, and a
task completed from a phone, once however often it is sent."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.errors import StateConflict
from klustera.operations.models import Task, TaskPhoto, TaskTemplate
from klustera.operations.schedules import occurrences
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.uploads import clean_photos


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


SKEW = timedelta(minutes=10)  # a device's clock further off than this is flagged


def complete_task(
    *,
    task: Task,
    actor: User,
    done: bool,
    client_id: uuid.UUID,
    device_time: datetime,
    checked: list[int] | None = None,
    notes: str = "",
    reason: str = "",
    photos: list[Any] | None = None,
) -> Task:
    """Record a task as done (its ticked checklist items, notes and photos) or as not done
    with a reason, as a phone sends it, maybe offline and maybe twice: the same
    ``client_id`` again returns what was stored, never a second completion. The device's
    time is kept beside ours; a far-off clock is flagged, not refused."""
    stored = Task.objects.filter(client_id=client_id).first()
    if stored is not None:
        return stored
    if not done and not reason.strip():
        raise _refuse("reason", _("Say why the task could not be done."), "reason_required")
    cleaned = clean_photos(photos or []) if done else []
    received = timezone.now()
    try:
        with tenant_atomic():
            task = Task.objects.select_for_update().get(pk=task.pk)
            if task.client_id == client_id:  # the same completion, sent twice at once
                return task
            if task.status != Task.Status.OPEN:
                raise StateConflict(_("This task is finished already."), code="task_finished")
            if done and task.photo_required and not cleaned:
                raise _refuse("photos", _("This task needs a photo of the work."), "photo_required")
            ticked = set(checked or [])
            task.checklist = [
                {**item, "done": index in ticked} for index, item in enumerate(task.checklist)
            ]
            task.status = Task.Status.DONE if done else Task.Status.NOT_DONE
            task.notes = notes.strip()[:2000]
            task.reason = "" if done else reason.strip()[:300]
            task.completed_by = actor
            task.completed_at = device_time
            task.received_at = received
            task.clock_skewed = abs(received - device_time) > SKEW
            task.client_id = client_id
            task.save()
            TaskPhoto.objects.bulk_create(
                TaskPhoto(task=task, image=full, thumbnail=small) for full, small in cleaned
            )
    except IntegrityError:  # the id was used a moment ago (another task): what it stored
        return Task.objects.get(client_id=client_id)
    return task


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})
