"""The community: announcements from the management, and polls the residents vote in."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped


class Announcement(Timestamped):
    """A notice to every resident of the complex, or to some blocks', unit types or tenures.

    A *draft* has neither ``publish_at`` nor ``posted_at``; a *scheduled* one has
    ``publish_at`` in the future; it is *published* from ``posted_at`` (the
    clock publishes a scheduled one once, the claim being a conditional
    update), and *withdrawn* from ``withdrawn_at`` (hidden, kept for the audit).
    An edit after publishing sets ``edited_at`` and is never sent again.
    """

    class Category(models.TextChoices):
        INFO = "info", _("Information")
        MAINTENANCE = "maintenance", _("Maintenance")
        SECURITY = "security", _("Security")
        EVENT = "event", _("Event")
        BILLING = "billing", _("Billing")

    title = models.CharField(max_length=150)
    body = models.TextField(max_length=4000)
    category = models.CharField(max_length=12, choices=Category.choices, default="info")

    class Tenure(models.TextChoices):
        ALL = "all", _("Everyone living there")
        OWNERS = "owners", _("Owners only")
        RENTERS = "renters", _("Renters only")

    # The audience: residents of these blocks and unit types (none: all of them), by tenure;
    # and the staff of these roles.
    blocks = models.JSONField(default=list, blank=True)
    unit_types = models.JSONField(default=list, blank=True)
    tenure = models.CharField(max_length=8, choices=Tenure.choices, default="all")
    staff_roles = models.JSONField(default=list, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    posted_at = models.DateTimeField(null=True, blank=True, db_index=True)  # published
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    send = models.BooleanField(default=True)  # also by WhatsApp, push and email
    sent_at = models.DateTimeField(null=True, blank=True)  # the sending was claimed
    recipients = models.PositiveIntegerField(null=True, blank=True)  # None: not sent yet

    class Meta:
        ordering = ["-pinned", F("posted_at").desc(nulls_first=True), "-pk"]

    def __str__(self) -> str:
        return self.title

    def state(self, now: datetime) -> str:
        """``withdrawn``, ``published``, ``expired``, ``scheduled`` or ``draft`` at ``now``."""
        if self.withdrawn_at:
            return "withdrawn"
        if self.posted_at:
            return "expired" if self.expires_at and self.expires_at <= now else "published"
        return "scheduled" if self.publish_at else "draft"


class Poll(Timestamped):
    """A question put to the complex: who votes, how votes weigh, when, and what is shown.

    A poll is *scheduled* before ``opens_at``, *open* until ``closes_at`` (or an
    early close), then *closed* with its minutes; or *cancelled* with a reason.
    Times are instants (UTC); the pages read and write them in the complex's zone.
    """

    class Electorate(models.TextChoices):
        UNIT = "unit", _("One vote per unit")
        OWNER = "owner", _("One vote per owner")
        RESIDENT = "resident", _("One vote per resident")

    class Weighting(models.TextChoices):
        NONE = "none", _("Every vote counts the same")
        LAND_AREA = "land_area", _("By the unit's land area")
        CUSTOM = "custom", _("By the unit's voting weight in the registry")

    class Ballot(models.TextChoices):
        OPEN = "open", _("Open: the minutes list which unit voted what")
        SECRET = "secret", _("Secret: nobody can tell who voted what")

    class Results(models.TextChoices):
        LIVE = "live", _("Live, while the poll is open")
        AT_CLOSE = "at_close", _("Only after the close")

    question = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    multiple = models.BooleanField(default=False)
    max_choices = models.PositiveSmallIntegerField(default=1)
    electorate = models.CharField(max_length=10, choices=Electorate.choices, default="unit")
    weighting = models.CharField(max_length=10, choices=Weighting.choices, default="none")
    ballot = models.CharField(max_length=10, choices=Ballot.choices, default="open")
    results = models.CharField(max_length=10, choices=Results.choices, default="at_close")
    quorum_percent = models.PositiveSmallIntegerField(default=0)  # of the eligible electorate
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(db_index=True)
    max_reminders = models.PositiveSmallIntegerField(default=1)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    announced_at = models.DateTimeField(null=True, blank=True)  # the opening notice went out
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # Fixed at the close, for the minutes: the electorate then and its total weight.
    eligible = models.PositiveIntegerField(null=True, blank=True)
    eligible_weight = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    minutes = models.FileField(upload_to=private_upload, blank=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="poll_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_percent__lte=100), name="poll_quorum_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def state(self, now: datetime) -> str:
        """``cancelled``, ``closed``, ``scheduled`` or ``open`` at ``now``."""
        if self.cancelled_at:
            return "cancelled"
        if self.closed_at or now >= self.closes_at:
            return "closed"
        return "scheduled" if now < self.opens_at else "open"


class PollOption(Timestamped):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=150)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class Participation(Timestamped):
    """That a unit (or a person) voted: for the quorum and for one vote per unit.

    ``voter_key`` is ``unit:<id>`` or ``user:<id>``; the unique key makes the
    database decide between two residents voting for one unit at once. In an
    open ballot ``choices`` holds what they chose; in a secret one it is
    empty and ``sealed`` holds it encrypted (so a vote can be changed) until
    the close wipes it. The tallies live apart in :class:`BallotCount`.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    voter_key = models.CharField(max_length=20)
    unit = models.ForeignKey("estate.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    weight = models.DecimalField(max_digits=12, decimal_places=2, default=1)
    choices = models.JSONField(default=list, blank=True)  # option ids, open ballots only
    sealed = models.TextField(blank=True)  # secret ballots, until the close
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter_key"], name="participation_one_vote")
        ]

    def __str__(self) -> str:
        return f"{self.voter_key} in poll {self.poll_id}"


class BallotCount(models.Model):
    """The ballot box: per option, how many votes and how much weight. No row names a voter."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    option = models.OneToOneField(PollOption, on_delete=models.CASCADE, related_name="count")
    votes = models.PositiveIntegerField(default=0)
    weight = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    def __str__(self) -> str:
        return f"{self.option_id}: {self.votes}"


class Attachment(Timestamped):
    """A PDF or a photo that comes with an announcement or a poll, served to its audience only.

    A PDF is kept as it was sent; a photo is drawn again as a JPEG without its metadata.
    """

    announcement = models.ForeignKey(
        Announcement, null=True, on_delete=models.CASCADE, related_name="attachments"
    )
    poll = models.ForeignKey(Poll, null=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=private_upload)
    name = models.CharField(max_length=120)  # the name it was sent under, for the download
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(announcement__isnull=False, poll__isnull=True)
                | models.Q(announcement__isnull=True, poll__isnull=False),
                name="attachment_of_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
