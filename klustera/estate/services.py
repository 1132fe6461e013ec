"""Use cases of the estate registry: inviting residents and welcoming them in."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.services import create_user
from klustera.audit.services import record
from klustera.crypto import keyed_hash, keyed_hashes
from klustera.errors import StateConflict
from klustera.estate.models import Invitation, Occupancy, Resident, Unit, Vehicle
from klustera.estate.signals import stay_ended
from klustera.notifications.models import Channel, Consent
from klustera.notifications.services import Address, notify, set_consent
from klustera.phones import normalize_phone
from klustera.privacy.models import ConsentRecord
from klustera.privacy.services import accept_notice
from klustera.roles import Role
from klustera.tenancy.context import current_tenant, one_writer_at_a_time, tenant_atomic
from klustera.tenancy.links import tenant_url

INVITATION_TTL = timedelta(days=14)
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_PURPOSE = "estate.invitation-code"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def invite_resident(
    *,
    unit: Unit,
    name: str,
    phone: str,
    occupancy_role: str,
    actor: User,
    email: str = "",
    whatsapp_opt_in: bool = False,
) -> Invitation:
    """Invite a person to register as a resident of ``unit``; the code goes out by message.

    Only a keyed hash of the code is stored. The invitation is sent on
    WhatsApp when the manager records the person's opt-in, otherwise by SMS
    and email.
    """
    phone = normalize_phone(phone)
    if occupancy_role not in Occupancy.Role.values:
        raise ValidationError(_("Choose owner, renter or family member."))
    if User.objects.filter(phone=phone).exists():
        raise ValidationError(
            _("Someone with this phone number already has an account."),
            code="phone_already_registered",
        )
    with tenant_atomic():
        invitation = Invitation(
            unit=unit,
            name=name.strip(),
            phone=phone,
            email=email,
            occupancy_role=occupancy_role,
            created_by=actor,
            whatsapp_opt_in=whatsapp_opt_in,
        )
        _send_invitation(invitation)
        record(
            actor=actor,
            action="resident.invited",
            target=invitation,
            unit=str(unit),
            occupancy_role=occupancy_role,
        )
    return invitation


def resend_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    """Send an open invitation again, with a new code (the old one stops working)."""
    with tenant_atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise ValidationError(
                _("This invitation is no longer open."), code="invitation_not_active"
            )
        _send_invitation(invitation)
        record(actor=actor, action="resident.invitation_resent", target=invitation)
    return invitation


def revoke_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw an open invitation: its code no longer registers anyone."""
    with tenant_atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise ValidationError(
                _("This invitation is no longer open."), code="invitation_not_active"
            )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(actor=actor, action="resident.invitation_revoked", target=invitation)
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    """A new code for ``invitation`` (saved, valid for the TTL from now), sent by message."""
    code = _new_code()
    tenant = current_tenant()
    invitation.code_hash = keyed_hash(code, purpose=CODE_PURPOSE)
    invitation.expires_at = timezone.now() + INVITATION_TTL
    invitation.save()
    notify(
        recipient=Address(
            name=invitation.name,
            phone=invitation.phone,
            email=invitation.email,
            whatsapp_opt_in=invitation.whatsapp_opt_in,
        ),
        template="invitation",
        context={
            "name": invitation.name,
            "complex": tenant.name if tenant else "",
            "unit": str(invitation.unit),
            "code": code,
            "link": tenant_url("register-page"),
        },
        channels=["whatsapp"] if invitation.whatsapp_opt_in else ["sms", "email"],
    )


def register_resident(
    *,
    code: str,
    phone: str,
    password: str,
    whatsapp_opt_in: bool = False,
    notice_version: int | None = None,
    opt_ins: dict[str, bool] | None = None,
) -> User:
    """Turn an invitation into a resident account, moved into the invited unit.

    The code must be current, unused and not withdrawn, and the phone the invited one.
    Their answer about WhatsApp is recorded either way (a no is never asked again); so is
    their consent to the privacy notice of ``notice_version`` they read, and each opt-in
    (without it, they are asked at their first sign-in).
    """
    phone = normalize_phone(phone)
    digests = keyed_hashes(
        code.strip().upper().replace(" ", "").replace("-", ""), purpose=CODE_PURPOSE
    )
    validate_password(password)
    with tenant_atomic():
        invitation = Invitation.objects.select_for_update().filter(code_hash__in=digests).first()
        if (
            invitation is None
            or invitation.accepted_at is not None
            or invitation.revoked_at is not None
            or invitation.expires_at <= timezone.now()
            or invitation.phone != phone
        ):
            raise ValidationError(
                _("This invitation code is not valid for this phone number."),
                code="invitation_not_valid",
            )
        if User.objects.filter(phone=phone).exists():
            raise ValidationError(
                _("Someone with this phone number already has an account."),
                code="phone_already_registered",
            )
        user = create_user(
            phone=phone,
            name=invitation.name,
            password=password,
            email=invitation.email,
            roles=[Role.RESIDENT],
        )
        resident = Resident.objects.filter(phone=phone, user__isnull=True).first()
        if resident is None:  # else: already in the registry (imported), now with an account
            resident = Resident(name=invitation.name, phone=phone, email=invitation.email)
        resident.user = user
        resident.save()
        Occupancy.objects.create(
            unit=invitation.unit,
            resident=resident,
            role=invitation.occupancy_role,
            start_on=timezone.localdate(),
            is_billing_contact=not invitation.unit.occupancies.filter(
                is_billing_contact=True, end_on__isnull=True
            ).exists(),
        )
        set_consent(
            user=user,
            channel=Channel.WHATSAPP,
            granted=whatsapp_opt_in,
            method=Consent.Method.REGISTRATION,
        )
        if notice_version is not None:
            accept_notice(
                user=user,
                opt_ins=opt_ins or {},
                method=ConsentRecord.Method.REGISTRATION,
                version=notice_version,
            )
        record(
            actor=user, action="resident.registered", target=invitation, unit=str(invitation.unit)
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# --- The registry: units, residents, who lives where, vehicles ------------------

UNIT_FIELDS = (
    "block",
    "number",
    "floor",
    "unit_type",
    "land_area",
    "building_area",
    "vote_weight",
)


def save_unit(*, actor: User, unit: Unit | None = None, **fields: object) -> Unit:
    """Create a unit or change one; block and number stay unique in the complex."""
    unit = unit or Unit()
    for name, value in fields.items():
        if name not in UNIT_FIELDS:
            raise ValidationError(_("Unknown field."))
        setattr(unit, name, value)
    for area in ("land_area", "building_area"):
        value = getattr(unit, area)
        if value is not None and value < 0:
            raise ValidationError({area: [_("An area cannot be negative.")]})
    if unit.vote_weight is not None and unit.vote_weight < 0:
        raise ValidationError({"vote_weight": [_("A voting weight cannot be negative.")]})
    clash = Unit.objects.filter(block=unit.block, number=unit.number).exclude(pk=unit.pk)
    if clash.exists():
        raise StateConflict(
            {"number": [_("This block already has a unit with this number.")]},
            code="unit_number_taken",
        )
    creating = unit.pk is None
    with tenant_atomic():
        if creating:
            one_writer_at_a_time("estate.units")
        unit.save()
        if creating:
            check_plan_room()
        record(
            actor=actor,
            action="unit.created" if creating else "unit.changed",
            target=unit,
            fields=sorted(fields),
        )
    return unit


def check_plan_room() -> None:
    """Inside the transaction that added units: refuses them past the plan's ``max_units``."""
    tenant = current_tenant()
    if tenant is not None and Unit.objects.count() > tenant.max_units:
        raise StateConflict(
            _("The complex's plan allows %(n)s units; ask the platform for a larger plan.")
            % {"n": tenant.max_units},
            code="plan_limit",
            api_code="PLAN_LIMIT",
        )


def save_resident(
    *, actor: User, resident: Resident | None = None, name: str, phone: str, email: str = ""
) -> Resident:
    """Create a resident or correct their name and contact details."""
    resident = resident or Resident()
    resident.name, resident.phone, resident.email = name.strip(), normalize_phone(phone), email
    if Resident.objects.filter(phone=resident.phone).exclude(pk=resident.pk).exists():
        raise StateConflict(
            {"phone": [_("Another resident already has this phone number.")]}, code="phone_taken"
        )
    creating = resident.pk is None
    with tenant_atomic():
        resident.save()
        record(
            actor=actor,
            action="resident.created" if creating else "resident.changed",
            target=resident,
        )
    return resident


def move_in(
    *,
    actor: User,
    unit: Unit,
    resident: Resident,
    role: str,
    start_on: date,
    is_billing_contact: bool = False,
) -> Occupancy:
    """Start a resident's stay in a unit; a unit has one billing contact at a time."""
    if role not in Occupancy.Role.values:
        raise ValidationError({"role": [_("Choose owner, renter or family member.")]})
    with tenant_atomic():
        current = unit.occupancies.select_for_update().filter(end_on__isnull=True)
        if current.filter(resident=resident).exists():
            raise ValidationError(
                _("This resident already lives in this unit."), code="resident_already_in_unit"
            )
        if is_billing_contact and current.filter(is_billing_contact=True).exists():
            raise ValidationError(
                {
                    "is_billing_contact": [
                        _(
                            "The unit already has a billing contact; move them out or "
                            "choose another contact first."
                        )
                    ]
                }
            )
        occupancy = Occupancy.objects.create(
            unit=unit,
            resident=resident,
            role=role,
            start_on=start_on,
            is_billing_contact=is_billing_contact,
        )
        if resident.status != Resident.Status.ACTIVE:
            resident.status = Resident.Status.ACTIVE
            resident.save(update_fields=["status"])
        record(
            actor=actor,
            action="resident.moved_in",
            target=occupancy,
            unit=str(unit),
            resident=resident.pk,
            role=role,
        )
    return occupancy


def move_in_person(
    *,
    actor: User,
    unit: Unit,
    name: str,
    phone: str,
    email: str = "",
    role: str,
    start_on: date,
    is_billing_contact: bool = False,
) -> Occupancy:
    """Move someone in by phone number: the resident with that phone, or a new one.

    All or nothing: a new resident is not kept when the move-in is refused.
    """
    with tenant_atomic():
        resident = Resident.objects.filter(phone=normalize_phone(phone)).first()
        if resident is None:
            resident = save_resident(actor=actor, name=name, phone=phone, email=email)
        return move_in(
            actor=actor,
            unit=unit,
            resident=resident,
            role=role,
            start_on=start_on,
            is_billing_contact=is_billing_contact,
        )


def set_billing_contact(*, actor: User, occupancy: Occupancy) -> Occupancy:
    """Make a current resident the unit's billing contact, in place of the one before."""
    if occupancy.end_on is not None:
        raise ValidationError(_("This stay has already ended."), code="stay_already_ended")
    with tenant_atomic():
        current = occupancy.unit.occupancies.select_for_update().filter(end_on__isnull=True)
        current.filter(is_billing_contact=True).exclude(pk=occupancy.pk).update(
            is_billing_contact=False, updated_at=timezone.now()
        )
        occupancy.is_billing_contact = True
        occupancy.save(update_fields=["is_billing_contact"])
        record(
            actor=actor,
            action="resident.billing_contact",
            target=occupancy,
            unit=str(occupancy.unit),
            resident=occupancy.resident_id,
        )
    return occupancy


def move_out(*, actor: User, occupancy: Occupancy, end_on: date) -> Occupancy:
    """End a stay, keeping it as history; a resident with no stay left is marked moved out."""
    if occupancy.end_on is not None:
        raise ValidationError(_("This stay has already ended."), code="stay_already_ended")
    if end_on < occupancy.start_on:
        raise ValidationError({"end_on": [_("A stay cannot end before it starts.")]})
    with tenant_atomic():
        occupancy.end_on = end_on
        occupancy.save(update_fields=["end_on"])
        resident = occupancy.resident
        if not resident.occupancies.filter(end_on__isnull=True).exists():
            resident.status = Resident.Status.MOVED_OUT
            resident.save(update_fields=["status"])
        record(
            actor=actor,
            action="resident.moved_out",
            target=occupancy,
            unit=str(occupancy.unit),
            resident=resident.pk,
            end_on=end_on.isoformat(),
        )
        stay_ended.send(sender=Occupancy, occupancy=occupancy, actor=actor)
    return occupancy


def normalize_plate(raw: str) -> str:
    plate = "".join(raw.upper().split()).replace("-", "")
    if not (3 <= len(plate) <= 10) or not plate.isalnum():
        raise ValidationError({"plate": [_("Enter a number plate such as B 1234 XYZ.")]})
    return plate


def add_vehicle(*, actor: User, unit: Unit, plate: str, kind: str) -> Vehicle:
    """Register a vehicle to a unit; a plate belongs to one unit."""
    plate = normalize_plate(plate)
    if kind not in Vehicle.Kind.values:
        raise ValidationError({"kind": [_("Choose car, motorcycle or other.")]})
    if Vehicle.objects.filter(plate=plate).exists():
        raise StateConflict({"plate": [_("This plate is already registered.")]}, code="plate_taken")
    with tenant_atomic():
        vehicle = Vehicle.objects.create(unit=unit, plate=plate, kind=kind)
        record(actor=actor, action="vehicle.added", target=vehicle, unit=str(unit), plate=plate)
    return vehicle


def remove_vehicle(*, actor: User, vehicle: Vehicle) -> None:
    with tenant_atomic():
        record(
            actor=actor,
            action="vehicle.removed",
            target=vehicle,
            unit=str(vehicle.unit),
            plate=vehicle.plate,
        )
        vehicle.delete()
