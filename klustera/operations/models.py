"""Staff operations: cleaning and maintenance tasks from templates on a schedule, the
guards' patrols (checkpoints, routes, scans and the rounds they make) and shifts.

Every write a phone makes carries the device's ``client_id`` (stored once, however often
it is sent) and the device's time, kept beside the server's."""

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


# --- Patrols ---------------------------------------------------------------------------


class Checkpoint(Timestamped):
    """A place a guard passes on patrol, marked by a QR sticker; where it is, if known."""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveSmallIntegerField(default=50)  # a scan further off is flagged
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="checkpoint_position",
            ),
            models.CheckConstraint(
                condition=models.Q(radius_m__gte=5, radius_m__lte=2000), name="checkpoint_radius"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PatrolRoute(Timestamped):
    """Checkpoints walked in rounds: every few hours from a start to a last start (past
    midnight too), each round given its minutes, in order or in any order."""

    name = models.CharField(max_length=80)
    ordered = models.BooleanField(default=False)
    checkpoints = models.ManyToManyField(Checkpoint, through="RouteStop", related_name="+")
    at = models.TimeField()  # the first round's start
    every_hours = models.PositiveSmallIntegerField(default=2)
    until = models.TimeField()  # the last round's start
    minutes = models.PositiveSmallIntegerField(default=45)  # a round's time
    starts_on = models.DateField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_hours__gte=1, every_hours__lte=24),
                name="patrol_route_every_hours",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=5, minutes__lte=720), name="patrol_route_minutes"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RouteStop(Timestamped):
    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="stops")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "checkpoint"], name="route_stop_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id}.{self.position}"


class PatrolRound(Timestamped):
    """One round of a route: on time when every checkpoint was scanned in its minutes, late
    when within as long again, incomplete when one was never scanned."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under way")
        ON_TIME = "on_time", _("On time")
        LATE = "late", _("Late")
        INCOMPLETE = "incomplete", _("Incomplete")

    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="rounds")
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()  # every checkpoint by then: on time
    closes_at = models.DateTimeField()  # by then: late; after it, incomplete
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    missed = models.JSONField(default=list, blank=True)  # the names of the checkpoints missed
    out_of_order = models.BooleanField(default=False)  # an ordered route walked otherwise
    alerted_at = models.DateTimeField(null=True, blank=True)  # the miss told, once

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="patrol_round_open")]
        constraints = [
            models.UniqueConstraint(fields=["route", "starts_at"], name="patrol_round_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id} {self.starts_at:%Y-%m-%d %H:%M}"


class PatrolScan(Timestamped):
    """A checkpoint's sticker scanned by a guard, as the phone sent it."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="scans")
    guard = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scanned_at = models.DateTimeField()  # the device's time
    received_at = models.DateTimeField()  # the server's
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    distance_m = models.PositiveIntegerField(null=True, blank=True)  # from the checkpoint
    far = models.BooleanField(default=False)  # beyond the checkpoint's radius
    clock_skewed = models.BooleanField(default=False)
    client_id = models.UUIDField(unique=True)

    class Meta:
        ordering = ["scanned_at", "pk"]
        indexes = [models.Index(fields=["checkpoint", "scanned_at"], name="patrol_scan_when")]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.scanned_at:%Y-%m-%d %H:%M}"


# --- Shifts ----------------------------------------------------------------------------


class Shift(Timestamped):
    """A staff member on duty: checked in and, later, out, from their phone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()  # the device's time
    ended_at = models.DateTimeField(null=True, blank=True)
    start_received_at = models.DateTimeField()
    end_received_at = models.DateTimeField(null=True, blank=True)
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    clock_skewed = models.BooleanField(default=False)
    start_client_id = models.UUIDField(unique=True)
    end_client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(ended_at__isnull=True), name="one_open_shift"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="shift_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"


# --- Incidents -------------------------------------------------------------------------


class Incident(Timestamped):
    """Something that happened, reported by a guard or any staff member from their phone,
    and followed up by the managers: open, investigating, closed."""

    class Kind(models.TextChoices):
        THEFT = "theft", _("Theft")
        FIRE = "fire", _("Fire")
        SUSPICIOUS = "suspicious", _("Suspicious person")
        ACCIDENT = "accident", _("Accident")
        DAMAGE = "damage", _("Damage")
        DISTURBANCE = "disturbance", _("Disturbance")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        INFO = "info", _("Info")
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        INVESTIGATING = "investigating", _("Investigating")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    occurred_at = models.DateTimeField()  # when it happened, as the reporter says
    location = models.CharField(max_length=120)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(max_length=4000)
    people = models.TextField(max_length=1000, blank=True)  # who was involved, free text
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField()  # the device's time of the report
    received_at = models.DateTimeField()
    clock_skewed = models.BooleanField(default=False)
    client_id = models.UUIDField(unique=True)
    ticket = models.ForeignKey(  # a repair the incident needs, in the helpdesk
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["occurred_at"], name="incident_when")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_urgent(self) -> bool:
        return self.severity in (self.Severity.MAJOR, self.Severity.CRITICAL)


class IncidentPhoto(Timestamped):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=private_upload)
    thumbnail = models.ImageField(upload_to=private_upload)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"photo {self.pk} of incident {self.incident_id}"


class IncidentEvent(Timestamped):
    """The incident's history: each move and note, by whom (kept when the user goes)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=14, choices=Incident.Status.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=Incident.Status.choices)
    note = models.TextField(max_length=2000, blank=True)
    actions = models.TextField(max_length=2000, blank=True)  # what was done about it
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.from_status}→{self.to_status}"


class IncidentSummary(Timestamped):
    """A month's incident summary sent to the managers: once per month, the database says."""

    month = models.DateField(unique=True)  # its first day
    total = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
