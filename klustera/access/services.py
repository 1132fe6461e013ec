"""Guest invitations and the gate's decisions.

Guest codes are 8 characters from an unambiguous alphabet. They are stored
encrypted (AES-256-GCM, key derived per complex) for their host to see again,
and as a keyed hash for the gate's lookup; never in plain text. A code is
typed in any case and with spaces or dashes. Single-use codes are taken by
one conditional update, so two gates at the same moment cannot both let a
guest in. Every verification, allowed or not, is logged; repeated failures
lock a guard's device and gate out for a while and alert the managers.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.access.models import AccessLog, GuestInvitation, Parcel, WalkIn
from klustera.access.passes import check_pass, issue_pass, public_keys
from klustera.accounts.models import User
from klustera.accounts.selectors import active_managers
from klustera.audit.services import record
from klustera.crypto import decrypt, encrypt, keyed_hash, keyed_hashes
from klustera.errors import StateConflict
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.estate.selectors import acts_for_unit, still_acts_for, users_living_in
from klustera.estate.services import CODE_ALPHABET, normalize_plate
from klustera.notifications.services import notify
from klustera.phones import normalize_phone
from klustera.redis_cache import CACHE_DOWN
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

CODE_PURPOSE = "access.guest-code"
CODE_LENGTH = 8
MAX_WINDOW = timedelta(days=31)
FAILURE_LIMIT = 10  # failed verifications per device and per gate …
FAILURE_WINDOW = timedelta(minutes=10)  # … within this window …
LOCKOUT = timedelta(minutes=15)  # … lock that device or gate out for this long

events = structlog.get_logger("klustera.events")


def normalize_code(raw: str) -> str:
    """``ab3d-7kq9`` and ``AB3D 7KQ9`` are the same code."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def register_guest(
    *,
    host: User,
    unit: Unit,
    guest_name: str,
    starts_at: datetime,
    ends_at: datetime,
    guest_phone: str = "",
    people: int = 1,
    plate: str = "",
    multi_use: bool = False,
    note: str = "",
) -> tuple[GuestInvitation, str]:
    """Invite a guest to ``unit``; returns the invitation and its code (shown to the host).

    Only the unit's residents and the complex's managers invite to a unit.
    """
    if not acts_for_unit(host, unit):
        raise PermissionDenied(_("Only the unit's residents and the managers invite guests here."))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("The visit must end after it starts.")]})
    if ends_at < timezone.now():
        raise ValidationError({"ends_at": [_("This window is already over.")]})
    if ends_at - starts_at > MAX_WINDOW:
        raise ValidationError({"ends_at": [_("An invitation lasts at most 31 days.")]})
    if not 1 <= people <= 50:
        raise ValidationError({"people": [_("Between 1 and 50 people.")]})
    phone = normalize_phone(guest_phone) if guest_phone else ""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with tenant_atomic():
        invitation = GuestInvitation.objects.create(
            unit=unit,
            host=host,
            guest_name=guest_name.strip(),
            guest_phone=phone,
            people=people,
            plate=normalize_plate(plate) if plate else "",
            note=note.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            multi_use=multi_use,
            code_cipher=encrypt(code, purpose=CODE_PURPOSE),
            code_hash=keyed_hash(code, purpose=CODE_PURPOSE),
        )
        record(actor=host, action="guest.invited", target=invitation, unit=str(unit))
    return invitation, code


def cancel_invitations_of(*, host: User, actor: User, unit: Unit | None = None) -> int:
    """End ``host``'s active invitations (to ``unit``, or anywhere) they may no longer give.

    Called when a stay ends or an account is switched off: a code must not
    outlive its host's right to invite. Returns how many were cancelled.
    """
    invitations = GuestInvitation.objects.filter(host=host, status=GuestInvitation.Status.ACTIVE)
    if unit is not None:
        invitations = invitations.filter(unit=unit)
    ended = [
        invitation.pk
        for invitation in invitations.select_related("unit")
        if not acts_for_unit(host, invitation.unit)
    ]
    with tenant_atomic():
        cancelled = GuestInvitation.objects.filter(
            pk__in=ended, status=GuestInvitation.Status.ACTIVE
        ).update(status=GuestInvitation.Status.CANCELLED, cancelled_at=timezone.now())
        if cancelled:
            record(actor=actor, action="guest.host_left", target=host, cancelled=cancelled)
    return cancelled


def code_of(invitation: GuestInvitation) -> str:
    return decrypt(invitation.code_cipher, purpose=CODE_PURPOSE)


def cancel_guest(*, invitation: GuestInvitation, actor: User) -> GuestInvitation:
    with tenant_atomic():
        invitation = GuestInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != GuestInvitation.Status.ACTIVE:
            raise ValidationError(
                _("Only an active invitation can be cancelled."), code="invitation_not_active"
            )
        invitation.status = GuestInvitation.Status.CANCELLED
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["status", "cancelled_at"])
        record(actor=actor, action="guest.cancelled", target=invitation)
    return invitation


# --- The gate -------------------------------------------------------------------------


class LockedOut(Exception):
    """Too many failed verifications from this device, at this gate or by this guard."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"locked for {retry_after} s")
        self.retry_after = retry_after  # seconds


@dataclass
class Decision:
    result: str
    kind: str
    method: str
    name: str = ""
    unit: str = ""
    allows: dict[str, Any] | None = None
    log_id: int | None = None


def _lock_keys(gate: str, device: str, guard: User) -> list[str]:
    """Cache keys counting failures per gate, per device and per guard account.

    The gate and device are whatever the caller sends (hashed: any text is
    safe); the guard's account is not, so varying them dodges nothing.
    """
    names = (("gate", gate), ("device", device or str(guard.pk)), ("guard", str(guard.pk)))
    return [
        f"access-fail:{kind}:{hashlib.sha256(name.encode()).hexdigest()[:24]}"
        for kind, name in names
    ]


def _locked_for(keys: list[str]) -> int:
    """Seconds until every lock on ``keys`` is over (0: none holds).

    The counts live in the cache: while it is down the gate keeps checking people in (open,
    and logged, as the rate limits are), since a complex cannot stop at its gate."""
    try:
        locks = cache.get_many([f"{key}:locked" for key in keys])
    except CACHE_DOWN:
        events.warning("gate.lockout_not_checked", exc_info=True)
        return 0
    until = [float(value) for value in locks.values()]
    return max((math.ceil(end - time.time()) for end in until), default=0)


def _count_failure(keys: list[str], gate: str, device: str, guard: User) -> None:
    try:
        _count(keys, gate, device, guard)
    except CACHE_DOWN:
        events.warning("gate.failure_not_counted", exc_info=True)


def _count(keys: list[str], gate: str, device: str, guard: User) -> None:
    window = int(FAILURE_WINDOW.total_seconds())
    newly_locked = False
    for key in keys:
        cache.add(key, 0, timeout=window)
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            failures = 1
        if failures == FAILURE_LIMIT:
            lockout = LOCKOUT.total_seconds()
            cache.set(f"{key}:locked", time.time() + lockout, timeout=int(lockout))
            newly_locked = True
    if newly_locked:  # once, however many of the three tipped over together
        _alert_managers(gate, device, guard)


def _alert_managers(gate: str, device: str, guard: User) -> None:
    tenant = current_tenant()
    record(actor=guard, action="access.locked_out", gate=gate, device=device)
    for manager in active_managers():
        notify(
            recipient=manager,
            template="gate_alert",
            context={
                "complex": tenant.name if tenant else "",
                "gate": gate,
                "failures": FAILURE_LIMIT,
                "minutes": int(LOCKOUT.total_seconds() // 60),
                "link": tenant_url("access-log"),  # where a push opens
            },
        )


def verify(*, payload: str, guard: User, gate: str, device: str = "", plate: str = "") -> Decision:
    """Decide on a scanned pass or a typed guest code, and log the decision.

    Raises ``LockedOut`` while the gate, the device or the guard is locked out.
    """
    keys = _lock_keys(gate, device, guard)
    locked_for = _locked_for(keys)
    if locked_for > 0:
        raise LockedOut(locked_for)
    now = timezone.now()
    text = payload.strip()
    if text.upper().startswith("KP1."):
        decision, log = _verify_pass(text, now)
    else:
        decision, log = _verify_code(text, now)
    log.guard, log.gate, log.device = guard, gate[:40], device[:64]
    log.plate = _plate_as_typed(plate)
    log.at = now
    log.save()
    decision.log_id = log.pk
    events.info("gate.checked", kind=log.kind, method=log.method, result=log.result, gate=log.gate)
    if decision.result != AccessLog.Result.VALID:
        _count_failure(keys, gate, device, guard)
    return decision


def _plate_as_typed(plate: str) -> str:
    return "".join(ch for ch in plate.upper() if ch.isalnum())[:15]  # any text is safe


def _verify_pass(token: str, now: datetime) -> tuple[Decision, AccessLog]:
    tenant = current_tenant()
    slug = tenant.slug if tenant else ""
    checked = check_pass(token, public_keys=public_keys(now), complex_slug=slug, now=now)
    if checked.reason == "unknown key":  # perhaps rotated in by another process just now
        checked = check_pass(
            token, public_keys=public_keys(now, fresh=True), complex_slug=slug, now=now
        )
    result, reason = checked.result, checked.reason
    stay = None
    if result == AccessLog.Result.VALID:
        stay = (  # values, not three models: the check needs a name and a label
            Occupancy.objects.filter(
                resident_id=checked.resident_id or 0,
                unit_id=checked.unit_id or 0,
                end_on__isnull=True,
                resident__status=Resident.Status.ACTIVE,
            )
            .values("resident_id", "resident__name", "unit_id", "unit__block", "unit__number")
            .first()
        )
        if stay is None:
            result, reason = AccessLog.Result.INVALID, "not an active resident of the unit"
    decision = Decision(
        result=result,
        kind=AccessLog.Kind.RESIDENT_ENTRY,
        method=AccessLog.Method.QR_CODE,
        name=stay["resident__name"] if stay else "",
        unit=str(Unit(block=stay["unit__block"], number=stay["unit__number"])) if stay else "",
    )
    log = AccessLog(
        kind=decision.kind,
        method=decision.method,
        result=result,
        resident_id=stay["resident_id"] if stay else None,
        unit_id=stay["unit_id"] if stay else None,
        detail=reason,
    )
    return decision, log


def _verify_code(raw: str, now: datetime) -> tuple[Decision, AccessLog]:
    code = normalize_code(raw)
    found = None
    if len(code) == CODE_LENGTH:
        found = (
            GuestInvitation.objects.select_related("unit")
            .filter(code_hash__in=keyed_hashes(code, purpose=CODE_PURPOSE))
            .annotate(host_acts=still_acts_for(OuterRef("host"), OuterRef("unit")))
            .first()
        )
    result = _guest_result(found, now, host_acts=getattr(found, "host_acts", False))
    if result == AccessLog.Result.VALID and found is not None:
        result = _take(found, now)
    decision = Decision(
        result=result,
        kind=AccessLog.Kind.GUEST_ENTRY,
        method=AccessLog.Method.GUEST_CODE,
    )
    if found is not None and result == AccessLog.Result.VALID:
        decision.name, decision.unit = found.guest_name, str(found.unit)
        decision.allows = {
            "people": found.people,
            "plate": found.plate,
            "until": found.ends_at.isoformat(),
            "multi_use": found.multi_use,
            "note": found.note,
        }
    log = AccessLog(
        kind=decision.kind,
        method=decision.method,
        result=result,
        invitation=found,
        unit=found.unit if found else None,
        detail="" if found else "unknown code",
    )
    return decision, log


def _guest_result(invitation: GuestInvitation | None, now: datetime, *, host_acts: bool) -> str:
    if invitation is None:
        return AccessLog.Result.INVALID
    if invitation.status == GuestInvitation.Status.CANCELLED:
        return AccessLog.Result.CANCELLED
    if invitation.status == GuestInvitation.Status.USED:
        return AccessLog.Result.USED
    if now > invitation.ends_at:
        return AccessLog.Result.EXPIRED
    if now < invitation.starts_at - timedelta(minutes=30):  # guests come a little early
        return AccessLog.Result.NOT_YET
    if not host_acts:  # the host moved out or was switched off since
        return AccessLog.Result.CANCELLED
    return AccessLog.Result.VALID


def _take(invitation: GuestInvitation, now: datetime) -> str:
    """Use the code once more; a single-use code is taken by exactly one gate."""
    if invitation.multi_use:
        GuestInvitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
        return AccessLog.Result.VALID
    taken = GuestInvitation.objects.filter(
        pk=invitation.pk, status=GuestInvitation.Status.ACTIVE, uses=0
    ).update(status=GuestInvitation.Status.USED, uses=1)
    return AccessLog.Result.VALID if taken == 1 else AccessLog.Result.USED


SKEW = timedelta(minutes=10)  # a device clock further off than this is flagged


def record_offline_check(
    *,
    payload: str,
    answer: str,
    guard: User,
    gate: str,
    client_id: uuid.UUID,
    checked_at: datetime,
    sent_at: datetime,
    device: str = "",
    plate: str = "",
) -> tuple[AccessLog, bool]:
    """Store an answer a guard's device gave offline, and whether it is new: the same
    ``client_id`` again returns what was stored.

    The device's answer is what happened at the gate and is kept, at the device's time.
    The server judges the pass or code again as of that time and flags what it finds: a
    single-use code let in at another gate already (``conflict``), a code cancelled
    before it was used (``cancelled``), an entry it would have refused (``disputed``).
    A single-use code is taken, so a later online check refuses it. The device's clock
    is judged by ``sent_at``, its time when it sent the answer.
    """
    stored = AccessLog.objects.filter(client_id=client_id).first()
    if stored is not None:
        return stored, False
    received = timezone.now()
    text = payload.strip()
    try:
        with tenant_atomic():
            if text.upper().startswith("KP1."):
                log = _verify_pass(text, checked_at)[1]
                flag = _pass_flag(answer, log.result)
            else:
                log, flag = _judge_code_offline(text, answer, checked_at)
            log.result, log.flag, log.offline, log.client_id = answer, flag, True, client_id
            log.guard, log.gate, log.device = guard, gate[:40], device[:64]
            log.plate = _plate_as_typed(plate)
            log.at, log.received_at = checked_at, received
            log.clock_skewed = abs(received - sent_at) > SKEW
            log.save()
    except IntegrityError:  # the same answer, sent twice at once: what the first stored
        return AccessLog.objects.get(client_id=client_id), False
    return log, True


def _pass_flag(answer: str, judged: str) -> str:
    if answer == AccessLog.Result.VALID and judged != AccessLog.Result.VALID:
        return AccessLog.Flag.DISPUTED
    return ""


def _judge_code_offline(raw: str, answer: str, at: datetime) -> tuple[AccessLog, str]:
    code = normalize_code(raw)
    found = None
    if len(code) == CODE_LENGTH:
        found = GuestInvitation.objects.filter(
            code_hash__in=keyed_hashes(code, purpose=CODE_PURPOSE)
        ).first()
    log = AccessLog(
        kind=AccessLog.Kind.GUEST_ENTRY,
        method=AccessLog.Method.GUEST_CODE,
        invitation=found,
        unit_id=found.unit_id if found else None,
        detail="" if found else "unknown code",
    )
    if answer != AccessLog.Result.VALID:
        return log, ""  # turned away: nothing to take, nothing to flag
    if found is None or not found.starts_at - timedelta(minutes=30) <= at <= found.ends_at:
        return log, AccessLog.Flag.DISPUTED
    if found.status == GuestInvitation.Status.CANCELLED:
        cancelled_before = found.cancelled_at is None or found.cancelled_at <= at
        return log, AccessLog.Flag.CANCELLED if cancelled_before else ""
    if _take(found, at) == AccessLog.Result.USED:
        return log, AccessLog.Flag.CONFLICT
    return log, ""


def current_pass(resident: Resident) -> dict[str, Any]:
    issued = issue_pass(resident)
    refresh = max(int((issued.expires_at - timezone.now()).total_seconds()) - 60, 30)
    return {"token": issued.token, "expires_at": issued.expires_at, "refresh_in": refresh}


# --- Walk-ins, exits and presence ----------------------------------------------------

WALK_IN_ANSWER_TIME = timedelta(minutes=5)


def register_walk_in(
    *,
    guard: User,
    unit: Unit,
    visitor_name: str,
    purpose: str,
    gate: str,
    visitor_phone: str = "",
    photo: Any = None,
) -> WalkIn:
    """A visitor nobody announced: the unit's residents are asked to allow or refuse."""
    now = timezone.now()
    with tenant_atomic():
        walk_in = WalkIn.objects.create(
            unit=unit,
            visitor_name=visitor_name.strip(),
            visitor_phone=normalize_phone(visitor_phone) if visitor_phone else "",
            purpose=purpose.strip(),
            photo=photo or "",
            gate=gate,
            guard=guard,
            created_at=now,
            answer_by=now + WALK_IN_ANSWER_TIME,
        )
        for resident in users_living_in(unit=unit):
            notify(
                recipient=resident,
                template="walkin_approval",
                context={
                    "visitor": walk_in.visitor_name,
                    "purpose": walk_in.purpose,
                    "unit": str(unit),
                    "link": tenant_url("my-guests"),
                },
            )
    return walk_in


def record_offline_walk_in(
    *,
    guard: User,
    unit: Unit,
    visitor_name: str,
    purpose: str,
    gate: str,
    allowed: bool,
    client_id: uuid.UUID,
    device_time: datetime,
    sent_at: datetime,
    visitor_phone: str = "",
) -> tuple[WalkIn, bool]:
    """A walk-in a guard decided with no network (the unit could not be asked), and whether
    it is new: the same ``client_id`` again returns what was stored."""
    stored = WalkIn.objects.filter(log__client_id=client_id).first()
    if stored is not None:
        return stored, False
    received = timezone.now()
    status = WalkIn.Status.GUARD_ALLOWED if allowed else WalkIn.Status.GUARD_REFUSED
    try:
        with tenant_atomic():
            log = AccessLog.objects.create(
                kind=AccessLog.Kind.GUEST_ENTRY,
                method=AccessLog.Method.MANUAL,
                result=AccessLog.Result.VALID if allowed else AccessLog.Result.INVALID,
                guard=guard,
                gate=gate[:40],
                unit=unit,
                detail=f"walk-in {visitor_name.strip()}: decided offline by the guard"[:200],
                at=device_time,
                offline=True,
                received_at=received,
                clock_skewed=abs(received - sent_at) > SKEW,
                client_id=client_id,
            )
            walk_in = WalkIn.objects.create(
                unit=unit,
                visitor_name=visitor_name.strip(),
                visitor_phone=normalize_phone(visitor_phone) if visitor_phone else "",
                purpose=purpose.strip(),
                gate=gate[:40],
                guard=guard,
                created_at=device_time,
                answer_by=device_time,
                status=status,
                answered_by=guard,
                decided_at=device_time,
                log=log,
            )
    except IntegrityError:  # the same walk-in, sent twice at once
        return WalkIn.objects.get(log__client_id=client_id), False
    return walk_in, True


def answer_walk_in(*, walk_in: WalkIn, user: User, allow: bool) -> WalkIn:
    """A resident of the unit allows or refuses the visitor, while the guard waits."""
    with tenant_atomic():
        walk_in = WalkIn.objects.select_for_update().get(pk=walk_in.pk)
        if walk_in.status != WalkIn.Status.WAITING:
            raise ValidationError(
                _("This visitor has already been answered."), code="walk_in_already_answered"
            )
        status = WalkIn.Status.ALLOWED if allow else WalkIn.Status.REFUSED
        return _decide(walk_in, status, user, f"answered by {user.name}")


def guard_decides(*, walk_in: WalkIn, guard: User, allow: bool) -> WalkIn:
    """No answer in time: the guard decides, and the log says so."""
    with tenant_atomic():
        walk_in = WalkIn.objects.select_for_update().get(pk=walk_in.pk)
        if walk_in.status != WalkIn.Status.WAITING:
            raise ValidationError(
                _("This visitor has already been answered."), code="walk_in_already_answered"
            )
        if timezone.now() < walk_in.answer_by:
            raise ValidationError(
                _("The unit can still answer; wait a moment."), code="walk_in_still_waiting"
            )
        status = WalkIn.Status.GUARD_ALLOWED if allow else WalkIn.Status.GUARD_REFUSED
        return _decide(walk_in, status, guard, "no answer from the unit: decided by the guard")


def _decide(walk_in: WalkIn, status: str, user: User, detail: str) -> WalkIn:
    allowed = status in (WalkIn.Status.ALLOWED, WalkIn.Status.GUARD_ALLOWED)
    now = timezone.now()
    walk_in.log = AccessLog.objects.create(
        kind=AccessLog.Kind.GUEST_ENTRY,
        method=AccessLog.Method.MANUAL,
        result=AccessLog.Result.VALID if allowed else AccessLog.Result.INVALID,
        guard=walk_in.guard,
        gate=walk_in.gate,
        unit=walk_in.unit,
        detail=f"walk-in {walk_in.visitor_name}: {detail}"[:200],
        at=now,
    )
    walk_in.status, walk_in.answered_by, walk_in.decided_at = status, user, now
    walk_in.save(update_fields=["status", "answered_by", "decided_at", "log"])
    return walk_in


def record_exit(
    *,
    entry: AccessLog,
    guard: User,
    gate: str,
    client_id: uuid.UUID | None = None,
    device_time: datetime | None = None,
    sent_at: datetime | None = None,
) -> AccessLog:
    """Someone who came in leaves: the exit is logged against the entry. From a phone that
    was offline (``client_id``, its time): the same ``client_id`` again returns what was
    stored, and an exit already logged by another gate is answered as a conflict."""
    if client_id is not None:
        stored = AccessLog.objects.filter(client_id=client_id).first()
        if stored is not None:
            return stored
    if entry.kind == AccessLog.Kind.EXIT or entry.result != AccessLog.Result.VALID:
        raise ValidationError(
            _("Only an allowed entry can be followed by an exit."), code="entry_not_allowed"
        )
    received = timezone.now()
    offline = {}
    if client_id is not None:
        offline = {
            "offline": True,
            "client_id": client_id,
            "received_at": received,
            "clock_skewed": abs(received - (sent_at or device_time or received)) > SKEW,
        }
    try:
        with tenant_atomic():
            AccessLog.objects.select_for_update().filter(pk=entry.pk).first()  # one exit wins
            if entry.exits.exists():
                raise StateConflict(_("This visit has already left."), code="visit_already_left")
            return AccessLog.objects.create(
                kind=AccessLog.Kind.EXIT,
                method=AccessLog.Method.MANUAL,
                result=AccessLog.Result.VALID,
                guard=guard,
                gate=gate[:40],
                unit=entry.unit,
                resident=entry.resident,
                invitation=entry.invitation,
                plate=entry.plate,
                entry=entry,
                at=device_time or received,
                **offline,
            )
    except IntegrityError:  # the same exit, sent twice at once
        return AccessLog.objects.get(client_id=client_id)


def inside(*, since: timedelta = timedelta(days=1)) -> QuerySet[AccessLog]:
    """Guests and walk-ins let in during the last day who have not left."""
    return AccessLog.objects.filter(
        kind=AccessLog.Kind.GUEST_ENTRY,
        result=AccessLog.Result.VALID,
        at__gte=timezone.now() - since,
        exits__isnull=True,
    ).select_related("unit", "invitation", "walk_in")


# --- Parcels ------------------------------------------------------------------------


def log_parcel(
    *,
    guard: User,
    unit: Unit,
    recipient_name: str,
    courier: str,
    gate: str,
    tracking_number: str = "",
    note: str = "",
    photo: Any = None,
    client_id: uuid.UUID | None = None,
    device_time: datetime | None = None,
) -> Parcel:
    """A delivery left at the gate: logged, and the unit's residents told to collect it.
    From a phone that was offline (``client_id``, its time), the same ``client_id`` again
    returns what was stored."""
    if client_id is not None:
        stored = Parcel.objects.filter(client_id=client_id).first()
        if stored is not None:
            return stored
    try:
        with tenant_atomic():
            parcel = Parcel.objects.create(
                unit=unit,
                recipient_name=recipient_name.strip(),
                courier=courier.strip(),
                tracking_number=tracking_number.strip(),
                note=note.strip(),
                photo=photo or "",
                gate=gate,
                received_by=guard,
                received_at=device_time or timezone.now(),
                client_id=client_id,
            )
            for resident in users_living_in(unit=unit):
                notify(
                    recipient=resident,
                    template="parcel_arrived",
                    context={
                        "recipient": parcel.recipient_name,
                        "courier": parcel.courier,
                        "unit": str(unit),
                        "gate": gate,
                    },
                )
    except IntegrityError:  # the same parcel, sent twice at once
        return Parcel.objects.get(client_id=client_id)
    return parcel


def hand_over_parcel(*, parcel: Parcel, guard: User, collected_by: str) -> Parcel:
    """The parcel is collected; the record is closed with who took it and who gave it."""
    with tenant_atomic():
        parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
        if parcel.status != Parcel.Status.WAITING:
            raise ValidationError(
                _("This parcel has already been picked up."), code="parcel_already_picked_up"
            )
        parcel.status = Parcel.Status.PICKED_UP
        parcel.picked_up_at = timezone.now()
        parcel.picked_up_by = collected_by.strip()
        parcel.handed_over_by = guard
        parcel.save(update_fields=["status", "picked_up_at", "picked_up_by", "handed_over_by"])
        record(actor=guard, action="parcel.picked_up", target=parcel, by=parcel.picked_up_by)
    return parcel
