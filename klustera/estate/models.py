"""The registry of a complex: units, the people living in them, and who lives where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klustera.timestamps import Timestamped


class Unit(Timestamped):
    """A house or apartment of the complex; the thing that gets billed."""

    class Type(models.TextChoices):
        STUDIO = "studio", _("Studio")
        ONE_BEDROOM = "1br", _("1 bedroom")
        TWO_BEDROOM = "2br", _("2 bedrooms")
        THREE_BEDROOM = "3br", _("3 bedrooms")
        HOUSE = "house", _("House")

    block = models.CharField(_("block / building"), max_length=20, blank=True)
    number = models.CharField(_("number"), max_length=20)
    floor = models.SmallIntegerField(null=True, blank=True)
    unit_type = models.CharField(max_length=10, choices=Type.choices, default=Type.HOUSE)
    land_area = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    building_area = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    # A share of the vote where the estate's rules give one (polls weighted "custom").
    vote_weight = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["block", "number"]
        constraints = [
            models.UniqueConstraint(fields=["block", "number"], name="unit_unique_block_number")
        ]

    def __str__(self) -> str:
        return f"{self.block}-{self.number}" if self.block else self.number


class Resident(Timestamped):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        MOVED_OUT = "moved_out", _("Moved out")

    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=16)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # One person, one record: their phone finds them (sign-in, import, move-in).
            models.UniqueConstraint(fields=["phone"], name="resident_unique_phone")
        ]

    def __str__(self) -> str:
        return self.name


class Occupancy(Timestamped):
    """A resident's tie to a unit over a period: owner, renter or family member."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        RENTER = "renter", _("Renter")
        FAMILY = "family", _("Family member")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="occupancies")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="occupancies")
    role = models.CharField(max_length=10, choices=Role.choices)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    is_billing_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(is_billing_contact=True, end_on__isnull=True),
                name="occupancy_one_billing_contact_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True)
                | models.Q(end_on__gte=models.F("start_on")),
                name="occupancy_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.unit} ({self.role})"


class Invitation(Timestamped):
    """A manager's invitation for a person to join as a resident of a unit."""

    code_hash = models.CharField(max_length=64, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="invitations")
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=16)
    email = models.EmailField(blank=True)
    occupancy_role = models.CharField(max_length=10, choices=Occupancy.Role.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    whatsapp_opt_in = models.BooleanField(default=False)  # recorded by the manager
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation of {self.phone} to {self.unit_id}"

    @property
    def state(self) -> str:
        """``accepted``, ``revoked``, ``expired`` or ``open``."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "open"


class Vehicle(Timestamped):
    """A vehicle registered to a unit, for the gate."""

    class Kind(models.TextChoices):
        CAR = "car", _("Car")
        MOTORCYCLE = "motorcycle", _("Motorcycle")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(max_length=15, unique=True)  # normalised: "B 1234 XYZ" → "B1234XYZ"
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CAR)

    class Meta:
        ordering = ["plate"]

    def __str__(self) -> str:
        return self.plate
