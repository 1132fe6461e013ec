"""Tasks: the day's tasks made from the templates' schedules, a task completed from a
phone once however often it is sent, templates and ad-hoc tasks."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.selectors import active_staff
from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.notifications.services import notify
from klustera.operations.models import Task, TaskPhoto, TaskTemplate
from klustera.operations.schedules import occurrences
from klustera.operations.services.common import is_skewed, local_zone, refuse, save_fields
from klustera.tenancy.context import tenant_atomic
from klustera.tenancy.links import tenant_url
from klustera.uploads import clean_photos


def generate_tasks(*, day: date) -> int:
    """Make the local ``day``'s tasks of every active template; a task already made (an
    earlier run, a second worker) is left as it is. How many were made."""
    zone = local_zone()
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


def complete_task(
    *,
    task: Task,
    actor: User,
    done: bool,
    client_id: uuid.UUID,
    device_time: datetime,
    sent_at: datetime | None = None,
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
        raise refuse("reason", _("Say why the task could not be done."), "reason_required")
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
                raise refuse("photos", _("This task needs a photo of the work."), "photo_required")
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
            task.clock_skewed = is_skewed(sent_at or device_time, received)
            task.client_id = client_id
            task.save()
            TaskPhoto.objects.bulk_create(
                TaskPhoto(task=task, image=full, thumbnail=small) for full, small in cleaned
            )
    except IntegrityError:  # the id was used a moment ago (another task): what it stored
        return Task.objects.get(client_id=client_id)
    return task


# --- The manager's side: templates and ad-hoc tasks ----------------------------------

TEMPLATE_FIELDS = (
    "title",
    "area",
    "checklist",
    "estimated_minutes",
    "photo_required",
    "assignee",
    "queue",
    "frequency",
    "weekdays",
    "day_of_month",
    "at",
    "every_hours",
    "until",
    "starts_on",
    "is_active",
)


def _check_work(assignee: User | None, queue: str, checklist: list[str]) -> None:
    if assignee is not None and assignee not in active_staff():
        raise refuse("assignee", _("Give the work to a staff member."), "not_staff")
    if assignee is None and not queue:
        raise refuse("queue", _("Give the work to a person or a queue."), "no_assignee")
    if len(checklist) > 20 or any(not str(item).strip() for item in checklist):
        raise refuse("checklist", _("Up to 20 checklist items, none empty."), "bad_checklist")


def save_template(*, template: TaskTemplate | None, actor: User, **fields: Any) -> TaskTemplate:
    """Add or change a task template and its schedule; tasks already made keep theirs.
    Each kind of schedule needs its part: weekdays, a day of the month, or every N hours
    until a time. Audited."""
    F = TaskTemplate.Frequency
    frequency = fields.get("frequency", F.DAILY)
    if frequency == F.WEEKDAYS and not fields.get("weekdays"):
        raise refuse("weekdays", _("Choose the weekdays."), "schedule_incomplete")
    if frequency == F.MONTHLY and not fields.get("day_of_month"):
        raise refuse("day_of_month", _("Choose the day of the month."), "schedule_incomplete")
    if frequency == F.HOURLY and not (fields.get("every_hours") and fields.get("until")):
        raise refuse(
            "every_hours", _("Say every how many hours, and until when."), "schedule_incomplete"
        )
    if any(not 1 <= day <= 7 for day in fields.get("weekdays") or []):
        raise refuse("weekdays", _("Weekdays are 1 (Monday) to 7 (Sunday)."), "bad_weekday")
    _check_work(fields.get("assignee"), fields.get("queue", ""), fields.get("checklist") or [])
    with tenant_atomic():
        is_new = template is None
        template = save_fields(template or TaskTemplate(), fields)
        record(
            actor=actor,
            action="task_template.added" if is_new else "task_template.changed",
            target=template,
            title=template.title,
            frequency=template.frequency,
        )
    return template


def add_task(
    *,
    actor: User,
    title: str,
    starts_at: datetime,
    due_at: datetime,
    area: str = "",
    checklist: list[str] | None = None,
    assignee: User | None = None,
    queue: str = "",
    photo_required: bool = False,
) -> Task:
    """A task of its own (a spill to clean now), to a person or a queue. Audited."""
    if due_at < starts_at:
        raise refuse("due_at", _("The task is due after it starts."), "due_before_start")
    _check_work(assignee, queue, checklist or [])
    with tenant_atomic():
        task = Task.objects.create(
            title=title.strip()[:120],
            area=area.strip()[:80],
            checklist=[{"item": str(item).strip(), "done": False} for item in checklist or []],
            assignee=assignee,
            queue="" if assignee else queue,
            starts_at=starts_at,
            due_at=due_at,
            photo_required=photo_required,
        )
        record(actor=actor, action="task.added", target=task, title=task.title)
        if assignee is not None and assignee != actor:
            notify(
                recipient=assignee,
                template="task_assigned",
                context={
                    "title": task.title,
                    "due": task.due_at,
                    "link": f"{tenant_url('tasks-page')}#task-{task.pk}",
                },
            )
    return task
