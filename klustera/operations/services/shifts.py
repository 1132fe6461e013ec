"""Shifts: staff check in and out from their phone, with the device's time and position,
each once per ``client_id``; who is on duty now."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.errors import StateConflict
from klustera.operations.models import Shift
from klustera.operations.services.common import is_skewed
from klustera.tenancy.context import tenant_atomic


def check_in(
    *,
    user: User,
    client_id: uuid.UUID,
    device_time: datetime,
    sent_at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Shift:
    """Start a shift. The same ``client_id`` again returns it; checking in while on duty
    is a conflict (check out first)."""
    stored = Shift.objects.filter(start_client_id=client_id).first()
    if stored is not None:
        return stored
    received = timezone.now()
    try:
        with tenant_atomic():
            if Shift.objects.filter(user=user, ended_at__isnull=True).exists():
                raise StateConflict(_("You are on duty already."), code="already_on_duty")
            return Shift.objects.create(
                user=user,
                started_at=device_time,
                start_received_at=received,
                start_latitude=latitude,
                start_longitude=longitude,
                clock_skewed=is_skewed(sent_at or device_time, received),
                start_client_id=client_id,
            )
    except IntegrityError:  # sent twice at once, or another check-in a moment ago
        stored = Shift.objects.filter(start_client_id=client_id).first()
        if stored is None:
            raise StateConflict(_("You are on duty already."), code="already_on_duty") from None
        return stored


def check_out(
    *,
    user: User,
    client_id: uuid.UUID,
    device_time: datetime,
    sent_at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Shift:
    """End the open shift. The same ``client_id`` again returns it; with no shift open it
    is a conflict. An end the device puts before the start is kept at the start."""
    stored = Shift.objects.filter(end_client_id=client_id).first()
    if stored is not None:
        return stored
    with tenant_atomic():
        shift = Shift.objects.select_for_update().filter(user=user, ended_at__isnull=True).first()
        if shift is None:  # maybe ended by this same check-out a moment ago
            stored = Shift.objects.filter(end_client_id=client_id).first()
            if stored is not None:
                return stored
            raise StateConflict(_("You are not on duty."), code="not_on_duty")
        received = timezone.now()
        shift.ended_at = max(device_time, shift.started_at)
        shift.end_received_at = received
        shift.end_latitude = latitude
        shift.end_longitude = longitude
        shift.end_client_id = client_id
        shift.clock_skewed = shift.clock_skewed or is_skewed(sent_at or device_time, received)
        shift.save()
        return shift


def on_duty() -> list[Shift]:
    """The shifts open now, the longest first."""
    return list(
        Shift.objects.filter(ended_at__isnull=True)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("started_at")
    )
