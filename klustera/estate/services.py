"""Use cases of the estate registry: inviting residents and welcoming them in."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.accounts.phones import normalize_phone
from klustera.accounts.roles import Role
from klustera.accounts.services import TokenPair, create_user, issue_tokens
from klustera.audit.services import record
from klustera.crypto import keyed_hash
from klustera.estate.models import Invitation, Occupancy, Resident, Unit
from klustera.tenancy.context import current_tenant, tenant_atomic
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
    from klustera.notifications.services import Address, notify

    phone = normalize_phone(phone)
    if occupancy_role not in Occupancy.Role.values:
        raise ValidationError(_("Choose owner, renter or family member."))
    if User.objects.filter(phone=phone).exists():
        raise ValidationError(_("Someone with this phone number already has an account."))
    code = _new_code()
    tenant = current_tenant()
    with tenant_atomic():
        invitation = Invitation.objects.create(
            code_hash=keyed_hash(code, purpose=CODE_PURPOSE),
            unit=unit,
            name=name.strip(),
            phone=phone,
            email=email,
            occupancy_role=occupancy_role,
            created_by=actor,
            expires_at=timezone.now() + INVITATION_TTL,
        )
        record(
            actor=actor,
            action="resident.invited",
            target=invitation,
            unit=str(unit),
            phone=phone,
            occupancy_role=occupancy_role,
        )
        notify(
            recipient=Address(name=name, phone=phone, email=email, whatsapp_opt_in=whatsapp_opt_in),
            template="invitation",
            context={
                "name": name,
                "complex": tenant.name if tenant else "",
                "unit": str(unit),
                "code": code,
                "link": tenant_url("home"),
            },
            channels=["whatsapp"] if whatsapp_opt_in else ["sms", "email"],
        )
    return invitation


def register_resident(
    *, code: str, phone: str, password: str, whatsapp_opt_in: bool = False, device_name: str = ""
) -> tuple[User, TokenPair]:
    """Turn an invitation into a resident account, moved into the invited unit.

    The code must be current and unused and the phone must be the invited one.
    """
    from django.contrib.auth.password_validation import validate_password

    from klustera.notifications.models import Channel, Consent
    from klustera.notifications.services import set_consent

    phone = normalize_phone(phone)
    digest = keyed_hash(
        code.strip().upper().replace(" ", "").replace("-", ""), purpose=CODE_PURPOSE
    )
    validate_password(password)
    with tenant_atomic():
        invitation = Invitation.objects.select_for_update().filter(code_hash=digest).first()
        if (
            invitation is None
            or invitation.accepted_at is not None
            or invitation.expires_at <= timezone.now()
            or invitation.phone != phone
        ):
            raise ValidationError(_("This invitation code is not valid for this phone number."))
        if User.objects.filter(phone=phone).exists():
            raise ValidationError(_("Someone with this phone number already has an account."))
        user = create_user(
            phone=phone,
            name=invitation.name,
            password=password,
            email=invitation.email,
            roles=[Role.RESIDENT],
        )
        resident = Resident.objects.create(
            name=invitation.name, phone=phone, email=invitation.email, user=user
        )
        Occupancy.objects.create(
            unit=invitation.unit,
            resident=resident,
            role=invitation.occupancy_role,
            start_on=timezone.localdate(),
            is_billing_contact=not invitation.unit.occupancies.filter(
                is_billing_contact=True, end_on__isnull=True
            ).exists(),
        )
        if whatsapp_opt_in:
            set_consent(
                user=user,
                channel=Channel.WHATSAPP,
                granted=True,
                method=Consent.Method.REGISTRATION,
            )
        record(
            actor=user, action="resident.registered", target=invitation, unit=str(invitation.unit)
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        tokens = issue_tokens(user=user, device_name=device_name)
    return user, tokens
