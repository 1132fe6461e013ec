"""Staff operations: cleaning and maintenance tasks from templates on a schedule.

(Patrols, incidents and shifts follow in this app; issue 20.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.roles import Role
from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped

# The staff roles' queues work can wait in.
QUEUES = [
    (Role.CLEANING_STAFF, Role.CLEANING_STAFF.label),
    (Role.FACILITY_STAFF, Role.FACILITY_STAFF.label),
    (Role.SECURITY_STAFF, Role.SECURITY_STAFF.label),
]


class TaskTemplate(Timestamped):
    """Work that comes back: what, where, its checklist, and when (in the complex's zone)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKDAYS = "weekdays", _("On certain weekdays")
        MONTHLY = "monthly", _("Once a month")
        HOURLY = "hourly", _("Every few hours")

    title = models.CharField(max_length=120)
    area = models.CharField(max_length=80, blank=True)  # "Blok A", "Taman bermain"
    checklist = models.JSONField(default=list, blank=True)  # ["Sapu", "Pel", "Buang sampah"]
    estimated_minutes = models.PositiveSmallIntegerField(default=30)
    photo_required = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queue = models.CharField(  # a staff role's queue, when no one person is named
        max_length=20, choices=QUEUES, blank=True
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    weekdays = models.JSONField(default=list, blank=True)  # ISO weekdays (1 Monday … 7 Sunday)
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)  # 31: the last day
    at = models.TimeField()  # the (first) start of the day
    every_hours = models.PositiveSmallIntegerField(null=True, blank=True)  # hourly: the step
    until = models.TimeField(null=True, blank=True)  # hourly: the last start (past midnight too)
    starts_on = models.DateField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__isnull=True)
                | models.Q(day_of_month__gte=1, day_of_month__lte=31),
                name="task_template_day_of_month",
            ),
            models.CheckConstraint(
                condition=models.Q(every_hours__isnull=True)
                | models.Q(every_hours__gte=1, every_hours__lte=24),
                name="task_template_every_hours",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Task(Timestamped):
    """One piece of work for one time: from a template's schedule, or ad hoc."""

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        NOT_DONE = "not_done", _("Could not be done")

    template = models.ForeignKey(
        TaskTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    title = models.CharField(max_length=120)
    area = models.CharField(max_length=80, blank=True)
    checklist = models.JSONField(default=list, blank=True)  # [{"item": "Sapu", "done": false}, …]
    photo_required = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queue = models.CharField(max_length=20, blank=True)
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The completion (done, or not done with a reason), as the device sent it.
    notes = models.TextField(max_length=2000, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # why it could not be done
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)  # the device's time
    received_at = models.DateTimeField(null=True, blank=True)  # the server's
    clock_skewed = models.BooleanField(default=False)  # the device's time far from ours
    client_id = models.UUIDField(null=True, blank=True, unique=True)  # the device's, once

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["assignee", "due_at"], name="task_assignee_due")]
        constraints = [
            # A schedule makes each of its tasks once, however often the day is generated.
            models.UniqueConstraint(
                fields=["template", "starts_at"],
                condition=models.Q(template__isnull=False),
                name="task_once_per_occurrence",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gte=models.F("starts_at")), name="task_due_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"


class TaskPhoto(Timestamped):
    """A photo of the work done, drawn again as JPEG without its metadata."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=private_upload)
    thumbnail = models.ImageField(upload_to=private_upload)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"photo {self.pk} of task {self.task_id}"
