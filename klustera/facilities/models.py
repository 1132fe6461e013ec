"""Facilities and their bookings: what may be booked when, by whom, for how many, at what
price; and the bookings, which the database keeps from overlapping."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.billing.models import Invoice
from klustera.estate.models import Unit
from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped

ZERO = Decimal(0)


class Facility(Timestamped):
    """A clubhouse, a pool, a court: its booking rules, set by the manager."""

    class Mode(models.TextChoices):
        SLOTS = "slots", _("Fixed slots")
        RANGES = "ranges", _("Any time within limits")

    class Eligibility(models.TextChoices):
        RESIDENTS = "residents", _("All residents")
        OWNERS = "owners", _("Owners only")

    class FeeKind(models.TextChoices):
        FREE = "free", _("Free")
        PER_BOOKING = "per_booking", _("Per booking")
        PER_HOUR = "per_hour", _("Per hour")

    name = models.CharField(max_length=80, unique=True)
    rules = models.TextField(blank=True, max_length=4000)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SLOTS)
    slot_minutes = models.PositiveSmallIntegerField(default=60)  # slots: each slot's length
    min_minutes = models.PositiveSmallIntegerField(default=60)  # ranges: the shortest booking
    max_minutes = models.PositiveSmallIntegerField(default=240)  # ranges: the longest
    buffer_minutes = models.PositiveSmallIntegerField(default=0)  # ranges: kept free between
    capacity = models.PositiveSmallIntegerField(  # empty: one booking at a time
        null=True, blank=True
    )
    lead_min_hours = models.PositiveSmallIntegerField(default=2)  # at the earliest, ahead
    lead_max_days = models.PositiveSmallIntegerField(default=30)  # at the latest, ahead
    quota_per_week = models.PositiveSmallIntegerField(null=True, blank=True)  # bookings/unit
    quota_hours_per_month = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility = models.CharField(
        max_length=10, choices=Eligibility.choices, default=Eligibility.RESIDENTS
    )
    needs_approval = models.BooleanField(default=False)
    fee_kind = models.CharField(max_length=12, choices=FeeKind.choices, default=FeeKind.FREE)
    fee = models.DecimalField(max_digits=12, decimal_places=0, default=ZERO)
    weekend_fee = models.DecimalField(  # weekends and holidays; empty: the same fee
        max_digits=12, decimal_places=0, null=True, blank=True
    )
    deposit = models.DecimalField(max_digits=12, decimal_places=0, default=ZERO)
    free_cancel_hours = models.PositiveSmallIntegerField(default=24)
    late_cancel_fee = models.DecimalField(max_digits=12, decimal_places=0, default=ZERO)
    late_cancel_keeps_deposit = models.BooleanField(default=False)
    bill_with_ipl = models.BooleanField(default=False)  # the fee on next month's invoice

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=15)
                & models.Q(min_minutes__gte=15)
                & models.Q(max_minutes__gte=models.F("min_minutes")),
                name="facility_durations_make_sense",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="facility_capacity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(fee__gte=0)
                & models.Q(deposit__gte=0)
                & models.Q(late_cancel_fee__gte=0)
                & (models.Q(weekend_fee__isnull=True) | models.Q(weekend_fee__gte=0)),
                name="facility_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def exclusive(self) -> bool:
        return self.capacity is None


class OpeningHours(Timestamped):
    """When a facility opens on a weekday (ISO: 1 is Monday). Closing at or before the
    opening time means after midnight: 18:00–02:00."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField()
    opens = models.TimeField(default=time(6))
    closes = models.TimeField(default=time(22))

    class Meta:
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "weekday"], name="one_opening_a_day"),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=1, weekday__lte=7), name="iso_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Holiday(Timestamped):
    """A public holiday or collective leave day (libur nasional, cuti bersama): facilities
    charge their weekend fee on it."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.name}"


class FacilityPhoto(Timestamped):
    """A photo of a facility, drawn again as JPEG without its metadata, with a thumbnail."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=private_upload)
    thumbnail = models.ImageField(upload_to=private_upload)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"photo {self.pk} of facility {self.facility_id}"


class Closure(Timestamped):
    """A time the facility cannot be booked: maintenance, a holiday."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="closures")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="closure_ends"
            )
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} closed {self.start:%Y-%m-%d}: {self.reason}"


class Booking(Timestamped):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Waiting for payment")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        DECLINED = "declined", _("Declined")
        NO_SHOW = "no_show", _("No-show")
        CLOSED = "closed", _("Done")

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="bookings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bookings")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    party_size = models.PositiveSmallIntegerField(default=1)
    exclusive = models.BooleanField()  # the facility's rule when booked (for the constraint)
    status = models.CharField(max_length=20, choices=Status.choices)
    hold_until = models.DateTimeField(null=True, blank=True)  # pending: the slot is held
    fee = models.DecimalField(max_digits=12, decimal_places=0, default=ZERO)
    deposit = models.DecimalField(max_digits=12, decimal_places=0, default=ZERO)
    note = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # a decline's or a cancellation's
    # What is paid now (fee and deposit) is billing's invoice of its own; released on refund.
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(  # who approved, declined, closed or cancelled it for them
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["facility", "start"], name="booking_when")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_ends"
            ),
            models.CheckConstraint(condition=models.Q(party_size__gte=1), name="booking_party"),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.start:%Y-%m-%d %H:%M} {self.status}"


# The bookings that take their time: held for payment or approval, or confirmed.
HOLDING = (
    Booking.Status.PENDING_PAYMENT,
    Booking.Status.PENDING_APPROVAL,
    Booking.Status.CONFIRMED,
)
