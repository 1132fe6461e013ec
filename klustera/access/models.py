"""Gate access: the complex's signing keys, guest invitations and the log of every decision."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.estate.models import Resident, Unit
from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped


class GateKey(Timestamped):
    """An Ed25519 key that signs residents' passes; guards verify with the public half."""

    kid = models.CharField(max_length=16, unique=True)
    private_key = models.TextField()  # encrypted
    public_key = models.CharField(max_length=64)  # raw, base64url
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid


class GuestInvitation(Timestamped):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        USED = "used", _("Used")
        CANCELLED = "cancelled", _("Cancelled")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="guest_invitations")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guest_invitations"
    )
    guest_name = models.CharField(max_length=100)
    guest_phone = models.CharField(max_length=16, blank=True)
    people = models.PositiveSmallIntegerField(default=1)
    plate = models.CharField(max_length=15, blank=True)
    note = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    multi_use = models.BooleanField(default=False)
    # The code only encrypted (shown again to its host) and as a keyed hash (the gate's lookup).
    code_cipher = models.TextField()
    code_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    uses = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="guest_window_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} → {self.unit_id}"


class AccessLog(Timestamped):
    """One decision at a gate, allowed or not."""

    class Kind(models.TextChoices):
        RESIDENT_ENTRY = "resident_entry", _("Resident entry")
        GUEST_ENTRY = "guest_entry", _("Guest entry")
        STAFF_ENTRY = "staff_entry", _("Staff entry")
        EXIT = "exit", _("Exit")

    class Method(models.TextChoices):
        QR_CODE = "qr_code", _("QR code")
        GUEST_CODE = "guest_code", _("Guest code")
        MANUAL = "manual", _("Manual")

    class Result(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALID = "invalid", _("Invalid")
        EXPIRED = "expired", _("Expired")
        USED = "used", _("Already used")
        CANCELLED = "cancelled", _("Cancelled")
        NOT_YET = "not_yet", _("Not yet valid")

    class Flag(models.TextChoices):
        """What the server found when an answer given offline reached it."""

        CONFLICT = "conflict", _("Used at another gate")
        CANCELLED = "cancelled", _("Cancelled before it was used")
        DISPUTED = "disputed", _("Not valid when let in")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    method = models.CharField(max_length=12, choices=Method.choices)
    result = models.CharField(max_length=12, choices=Result.choices)
    guard = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    gate = models.CharField(max_length=40)
    device = models.CharField(max_length=64, blank=True)
    plate = models.CharField(max_length=15, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL)
    invitation = models.ForeignKey(
        GuestInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    detail = models.CharField(max_length=200, blank=True)
    entry = models.ForeignKey(  # an exit's entry
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="exits"
    )
    at = models.DateTimeField(db_index=True)  # offline: the device's time
    # Answers a guard's device gave offline, sent later by the sync API:
    offline = models.BooleanField(default=False)
    flag = models.CharField(max_length=10, choices=Flag.choices, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    clock_skewed = models.BooleanField(default=False)
    client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.result}"

    @property
    def who(self) -> str:
        """The resident or guest the decision was about, if known."""
        if self.resident_id and self.resident:
            return self.resident.name
        if self.invitation_id and self.invitation:
            return self.invitation.guest_name
        try:
            return self.walk_in.visitor_name
        except ObjectDoesNotExist:
            return ""


class WalkIn(Timestamped):
    """An unannounced visitor: the unit's residents allow or refuse; after a while, the guard."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the unit")
        ALLOWED = "allowed", _("Allowed by the unit")
        REFUSED = "refused", _("Refused by the unit")
        GUARD_ALLOWED = "guard_allowed", _("Allowed by the guard")
        GUARD_REFUSED = "guard_refused", _("Refused by the guard")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="walk_ins")
    visitor_name = models.CharField(max_length=100)
    visitor_phone = models.CharField(max_length=16, blank=True)
    purpose = models.CharField(max_length=120)
    photo = models.ImageField(upload_to=private_upload, blank=True)
    gate = models.CharField(max_length=40)
    guard = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.WAITING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_by = models.DateTimeField()  # after this the guard decides
    decided_at = models.DateTimeField(null=True, blank=True)
    log = models.OneToOneField(
        AccessLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="walk_in"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.visitor_name} → {self.unit_id} ({self.status})"


class Parcel(Timestamped):
    """A delivery left at the gate for a unit: logged, the unit told, closed when collected."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting at the gate")
        PICKED_UP = "picked_up", _("Picked up")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="parcels")
    recipient_name = models.CharField(max_length=100)
    courier = models.CharField(max_length=60)
    tracking_number = models.CharField(max_length=60, blank=True)
    note = models.CharField(max_length=200, blank=True)
    photo = models.ImageField(upload_to=private_upload, blank=True)
    gate = models.CharField(max_length=40)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()  # offline: the device's time
    client_id = models.UUIDField(null=True, blank=True, unique=True)  # a phone's id for it
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    picked_up_by = models.CharField(max_length=100, blank=True)  # who collected it, as told
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "unit"])]

    def __str__(self) -> str:
        return f"{self.courier} → {self.unit_id} ({self.status})"


class GateSettings(Timestamped):
    """How the complex keeps its gate: one row."""

    tablet_lock = models.BooleanField(
        _("Gate devices need the guard's passkey and a shift PIN"), default=False
    )

    def __str__(self) -> str:
        return "gate settings"


class GateShift(Timestamped):
    """A guard's shift on one gate device, opened with their passkey and a short PIN.

    It is bound to the device's session or token (``holder``); after
    ``IDLE_MINUTES`` without a check the PIN is asked again, and five wrong
    PINs end the shift.
    """

    guard = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gate_shifts"
    )
    holder = models.CharField(max_length=64, db_index=True)
    pin_hash = models.CharField(max_length=64)
    ends_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    failures = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"gate shift of {self.guard_id}"
