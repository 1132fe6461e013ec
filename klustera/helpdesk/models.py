"""Complaints as tickets: a category with its service targets, the ticket with its state and
clocks, and the history of every move."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.estate.models import Unit
from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Category(Timestamped):
    """What a complaint is about; the manager edits the list."""

    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    business_hours_only = models.BooleanField(default=False)  # urgent always counts 24/7

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ServiceTarget(Timestamped):
    """How soon a ticket of a category and priority is answered and resolved, in hours."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    response_hours = models.PositiveSmallIntegerField()
    resolution_hours = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority"], name="one_target_per_priority"
            ),
            models.CheckConstraint(
                condition=models.Q(response_hours__gt=0)
                & models.Q(resolution_hours__gte=models.F("response_hours")),
                name="target_hours_make_sense",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.category_id} {self.priority}: {self.response_hours}/{self.resolution_hours} h"
        )


class HelpdeskSettings(Timestamped):
    """The complex's helpdesk rules (one row)."""

    business_start = models.TimeField(default=time(8, 0))
    business_end = models.TimeField(default=time(17, 0))
    business_days = models.JSONField(default=list)  # ISO weekdays, 1 = Monday; empty: Mon–Fri
    reopen_days = models.PositiveSmallIntegerField(default=7)
    auto_close_days = models.PositiveSmallIntegerField(default=3)

    def __str__(self) -> str:
        return "helpdesk settings"

    @classmethod
    def current(cls) -> HelpdeskSettings:
        return cls.objects.get_or_create(pk=1)[0]


class Ticket(Timestamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        CANCELLED = "cancelled", _("Cancelled")

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tickets")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    unit = models.ForeignKey(  # empty: a common area
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    location = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000)
    reporter = models.ForeignKey(  # whom it is for, who follows it
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_by = models.ForeignKey(  # who typed it: the reporter, or a manager "by phone"
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queue = models.CharField(max_length=20, blank=True)  # a staff role's queue
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    response_due = models.DateTimeField()
    resolution_due = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 to 5, by the reporter
    rating_comment = models.CharField(max_length=500, blank=True)
    flagged = models.BooleanField(default=False)  # a poor rating: for the manager to look at
    warned_at = models.DateTimeField(null=True, blank=True)  # the assignee, before the breach
    escalated_at = models.DateTimeField(null=True, blank=True)  # the managers, on the breach
    unanswered_at = models.DateTimeField(  # the managers, when the first answer is late
        null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "resolution_due"], name="ticket_due"),
            # The lists' orders: the newest first, the most urgent deadline first.
            models.Index(fields=["-created_at", "-id"], name="ticket_newest"),
            models.Index(fields=["resolution_due", "id"], name="ticket_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class TicketEvent(Timestamped):
    """One move of a ticket: who, when, from which state to which, and why. Never edited."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)  # kept readable if the account goes
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.from_status} → {self.to_status}"


class TicketPhoto(Timestamped):
    """A photo of the problem (by whoever filed it) or of the work done (by staff)."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("The problem")
        AFTER = "after", _("After the work")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PROBLEM)
    image = models.ImageField(upload_to=private_upload)
    thumbnail = models.ImageField(upload_to=private_upload)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"photo {self.pk} of #{self.ticket_id}"


class Comment(Timestamped):
    """A message in a ticket's thread; an internal note is for staff and managers only."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150)
    body = models.TextField(max_length=2000)
    internal = models.BooleanField(default=False)
    is_question = models.BooleanField(default=False)  # staff asking the resident

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on #{self.ticket_id}"
