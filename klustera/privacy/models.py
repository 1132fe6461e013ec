"""The complex's privacy notice, the proof of every consent, and data-subject requests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped

ANSWER_WITHIN = timedelta(hours=72)  # UU PDP: 3 × 24 hours
EXPORT_KEPT = timedelta(days=7)
# The bounds a complex may set its retention within: operational records at least a month
# (disputes about a visit), at most three years; financial ones never under the tax law's ten.
OPERATIONAL_DAYS = (30, 1095)
FINANCIAL_YEARS = (10, 30)


class PrivacySettings(Timestamped):
    """How long the complex keeps what its retention classes cover (one row)."""

    operational_days = models.PositiveSmallIntegerField(
        _("operational records, days"),
        default=365,
        validators=[MinValueValidator(OPERATIONAL_DAYS[0]), MaxValueValidator(OPERATIONAL_DAYS[1])],
    )
    financial_years = models.PositiveSmallIntegerField(
        _("financial records, years"),
        default=10,
        validators=[MinValueValidator(FINANCIAL_YEARS[0]), MaxValueValidator(FINANCIAL_YEARS[1])],
    )

    class Meta:
        verbose_name_plural = "privacy settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(operational_days__gte=OPERATIONAL_DAYS[0])
                & models.Q(operational_days__lte=OPERATIONAL_DAYS[1])
                & models.Q(financial_years__gte=FINANCIAL_YEARS[0])
                & models.Q(financial_years__lte=FINANCIAL_YEARS[1]),
                name="privacy_retention_within_bounds",
            )
        ]

    def __str__(self) -> str:
        return f"retention {self.operational_days} days / {self.financial_years} years"


class RetentionRun(Timestamped):
    """One application of the retention periods: what it removed, per kind of record."""

    actor = models.ForeignKey(  # empty: the nightly job
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed = models.JSONField(default=dict)  # "app.Model" → rows cleared or deleted
    finished_at = models.DateTimeField(null=True, blank=True)  # empty: it stopped halfway

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"retention run {self.pk}"

    @property
    def total(self) -> int:
        return sum(self.removed.values())


class PrivacyNotice(Timestamped):
    """One version of the complex's privacy notice: the platform's text (of ``platform_revision``)
    and the complex's own additions. A new version asks everyone for consent again."""

    version = models.PositiveIntegerField(unique=True)
    platform_revision = models.CharField(max_length=20)
    additions_id = models.TextField(_("additions in Indonesian"), blank=True)
    additions_en = models.TextField(_("additions in English"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"privacy notice v{self.version}"


class Purpose(models.TextChoices):
    NOTICE = "notice", _("The privacy notice (what running the estate needs)")
    COMMUNITY = "community", _("Community messages: announcements, polls, events")
    MARKETING = "marketing", _("Offers from the complex and its partners")
    WHATSAPP = "whatsapp", _("Messages on WhatsApp")
    EMAIL = "email", _("Messages by email")
    SMS = "sms", _("Messages by SMS")
    PUSH = "push", _("Push notifications")


OPT_INS = (Purpose.COMMUNITY, Purpose.MARKETING)


class ConsentRecord(Timestamped):
    """One grant or withdrawal, as it happened (UU PDP art. 24: the complex must be able to
    prove consent). Never changed: the latest record of a purpose is the person's choice."""

    class Method(models.TextChoices):
        REGISTRATION = "registration", _("At registration")
        SIGN_IN = "sign_in", _("At sign-in, after a new notice")
        APP_SETTING = "app_setting", _("In the app's settings")
        MANAGER_RECORDED = "manager_recorded", _("Recorded by a manager from a signed form")
        WHATSAPP_REPLY = "whatsapp_reply", _("Replied on WhatsApp")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_records"
    )
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    granted = models.BooleanField()
    notice_version = models.PositiveIntegerField()
    method = models.CharField(max_length=20, choices=Method.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="consent_latest")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {'granted' if self.granted else 'withdrawn'}"


class DataRequest(Timestamped):
    """A person's request under UU PDP art. 5–13, answered within 3 × 24 hours."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("A copy of my data")
        CORRECTION = "correction", _("Correct my data")
        DELETION = "deletion", _("Delete my data")
        RESTRICTION = "restriction", _("Restrict processing")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")

    OPEN = (Status.RECEIVED, Status.IN_PROGRESS)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    details = models.TextField(blank=True)  # what to correct, why restrict
    due_at = models.DateTimeField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    export = models.FileField(upload_to=private_upload, blank=True)
    export_expires_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)  # a restriction the person ended

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open request of a kind per person: asking twice does not queue two exports.
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(status__in=["received", "in_progress"]),
                name="data_request_one_open_per_kind",
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="data_request_due")]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_at <= timezone.now()

    @property
    def export_available(self) -> bool:
        return bool(
            self.export and self.export_expires_at and self.export_expires_at > timezone.now()
        )


BREACH_NOTICE_WITHIN = timedelta(hours=72)  # UU PDP art. 46


class Breach(Timestamped):
    """A personal-data breach the platform's operator records, kept in the platform's database
    (see ``PLATFORM_MODELS``): the 72 hours to tell the people and the authority start at its
    discovery."""

    what = models.TextField(_("what happened"))
    happened_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    discovered_at = models.DateTimeField(_("when it was discovered"))
    complexes = models.JSONField(default=list)  # slugs of the complexes affected
    phones = models.JSONField(default=list)  # the people affected; empty: everyone there
    categories = models.JSONField(default=list)  # the declaration's data categories
    remedy = models.TextField(_("what was done about it"))
    recorded_by = models.CharField(max_length=150)  # the operator, by name
    notified_at = models.DateTimeField(null=True, blank=True)  # notices queued to the people
    notices = models.JSONField(default=dict)  # slug → people the notice was queued for
    authority_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-discovered_at", "-pk"]

    def __str__(self) -> str:
        return f"breach {self.pk}"

    @property
    def deadline(self) -> datetime:
        return self.discovered_at + BREACH_NOTICE_WITHIN

    @property
    def done(self) -> bool:
        return bool(self.notified_at and self.authority_notified_at)

    @property
    def late(self) -> bool:
        return not self.done and timezone.now() > self.deadline
