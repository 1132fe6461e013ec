"""The shared gate tablet's lock: a guard opens a shift with their passkey and a short PIN.

When the complex turns the lock on, a gate device checks nobody in until its
guard has signed with a passkey and chosen a PIN for the shift; after a quiet
spell the PIN alone resumes it, and five wrong PINs end it. A token or a
session lifted from the tablet is not enough on its own. Answers given offline
still sync with the device's token: they are history, not a way in.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.access.models import GateSettings, GateShift
from klustera.accounts.models import ApiToken, User
from klustera.accounts.passkeys import RelyingParty, confirm_with_passkey
from klustera.audit.services import record
from klustera.cached import forget, read_through
from klustera.crypto import keyed_hash
from klustera.errors import StateConflict
from klustera.tenancy.context import tenant_atomic

SHIFT_HOURS = 12
IDLE_MINUTES = 15
MAX_PIN_FAILURES = 5
PIN = re.compile(r"^\d{4,8}$")


class GateLocked(StateConflict):
    """The gate device is locked: a shift must be opened (``shift_needed``) or resumed."""


SETTINGS_KEY = "gate-settings"
SETTINGS_SECONDS = 60  # bounds the one race a forget cannot see (``klustera.cached``)


def gate_settings() -> GateSettings:
    """The complex's gate settings, asked on every check: from the cache (one Redis read
    instead of a query), forgotten by every save."""
    return read_through(SETTINGS_KEY, _load_settings, seconds=SETTINGS_SECONDS)


def _load_settings() -> GateSettings:
    return GateSettings.objects.filter(pk=1).first() or GateSettings(pk=1)


def set_tablet_lock(*, on: bool, actor: User) -> GateSettings:
    """Turn the passkey-and-PIN lock of gate devices on or off; audited."""
    with tenant_atomic():
        settings = GateSettings.objects.update_or_create(pk=1, defaults={"tablet_lock": on})[0]
        record(actor=actor, action="gate.tablet_lock", on=on)
        forget(SETTINGS_KEY)
    return settings


def holder_of(request: HttpRequest) -> str:
    """The device a request comes from: its token's family, or its browser session."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return f"token:{auth.family}"
    key = request.session.session_key or ""
    return "session:" + hashlib.sha256(key.encode()).hexdigest()[:48]


def _pin_hash(pin: str, holder: str) -> str:
    return keyed_hash(f"{holder}:{pin}", purpose="access.shift-pin")


def _open_shift(guard: User, holder: str) -> GateShift | None:
    return GateShift.objects.filter(
        guard=guard, holder=holder, ended_at__isnull=True, ends_at__gt=timezone.now()
    ).first()


def shift_state(*, guard: User, holder: str) -> str:
    """``off`` (no lock), ``open``, ``idle`` (the PIN resumes it) or ``closed``."""
    if not gate_settings().tablet_lock:
        return "off"
    shift = _open_shift(guard, holder)
    if shift is None:
        return "closed"
    idle = shift.last_seen_at <= timezone.now() - timedelta(minutes=IDLE_MINUTES)
    return "idle" if idle else "open"


def start_shift(
    *,
    guard: User,
    holder: str,
    pin: str,
    challenge_id: Any,
    credential: dict[str, Any],
    rp: RelyingParty,
) -> GateShift:
    """Open a shift on this device: the guard's passkey signs, and the PIN is chosen."""
    if not PIN.match(pin):
        raise ValidationError({"pin": [_("The PIN is 4 to 8 digits.")]}, code="pin_invalid")
    confirm_with_passkey(user=guard, challenge_id=challenge_id, credential=credential, rp=rp)
    now = timezone.now()
    with tenant_atomic():
        GateShift.objects.filter(holder=holder, ended_at__isnull=True).update(
            ended_at=now, updated_at=now
        )
        shift = GateShift.objects.create(
            guard=guard,
            holder=holder,
            pin_hash=_pin_hash(pin, holder),
            ends_at=now + timedelta(hours=SHIFT_HOURS),
            last_seen_at=now,
        )
        record(actor=guard, action="gate.shift_started", target=shift)
    return shift


def resume_shift(*, guard: User, holder: str, pin: str) -> GateShift:
    """The PIN resumes an idle shift; the fifth wrong one ends it."""
    shift = _open_shift(guard, holder)
    if shift is None:
        raise GateLocked(_("Start your shift with your passkey."), code="shift_needed")
    now = timezone.now()
    if _pin_hash(pin, holder) != shift.pin_hash:
        GateShift.objects.filter(pk=shift.pk).update(failures=F("failures") + 1, updated_at=now)
        GateShift.objects.filter(pk=shift.pk, failures__gte=MAX_PIN_FAILURES).update(ended_at=now)
        raise GateLocked(_("Wrong PIN."), code="wrong_pin")
    GateShift.objects.filter(pk=shift.pk).update(last_seen_at=now, failures=0, updated_at=now)
    return shift


def end_shift(*, guard: User, holder: str) -> None:
    now = timezone.now()
    GateShift.objects.filter(guard=guard, holder=holder, ended_at__isnull=True).update(
        ended_at=now, updated_at=now
    )


def require_open_gate(*, guard: User, holder: str) -> None:
    """Pass when the lock is off or this device's shift is open (which stays awake).

    ``holder`` is empty for a machine's API key (a gate controller): no guard to lock.
    """
    if not holder:
        return
    state = shift_state(guard=guard, holder=holder)
    if state == "off":
        return
    if state == "closed":
        raise GateLocked(_("Start your shift with your passkey."), code="shift_needed")
    if state == "idle":
        raise GateLocked(_("Enter your PIN to go on."), code="pin_needed")
    GateShift.objects.filter(guard=guard, holder=holder, ended_at__isnull=True).update(
        last_seen_at=timezone.now()
    )
