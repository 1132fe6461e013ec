"""Passkeys (WebAuthn): add one in the profile, sign in with it, list and remove them.

The ceremonies are checked by the ``webauthn`` library; this module keeps the
challenges (each used once, for five minutes) and the credentials, which live
in the complex's own database: a passkey made in one complex signs in nowhere
else. The relying party is the host the person is on, and the origin the
browser reports must be that host's.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import webauthn
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn.helpers import options_to_json_dict, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from klustera.accounts.models import Passkey, PasskeyChallenge, User
from klustera.accounts.services import AuthError
from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.tenancy.context import current_tenant, tenant_atomic

CHALLENGE_TTL = timedelta(minutes=5)
MAX_PASSKEYS = 10  # per person: phones, a tablet, a security key
Purpose = PasskeyChallenge.Purpose


@dataclass(frozen=True)
class RelyingParty:
    """Who asks: the host's name (the RP ID), the page's origin and the complex's name."""

    id: str
    origin: str
    name: str


@dataclass(frozen=True)
class Ceremony:
    """A challenge's id, to send back, and the options for ``navigator.credentials``."""

    challenge_id: uuid.UUID
    options: dict[str, Any]


def _user_handle(user: User) -> bytes:
    """The opaque id the authenticator keeps for the person: no phone, no name."""
    tenant = current_tenant()
    assert tenant is not None, "passkeys belong to a complex"
    return hashlib.sha256(f"klustera:{tenant.slug}:{user.pk}".encode()).digest()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    ids = user.passkeys.values_list("credential_id", flat=True)
    return [PublicKeyCredentialDescriptor(id=bytes(credential)) for credential in ids]


def _challenge(purpose: str, challenge: bytes, user: User | None) -> uuid.UUID:
    PasskeyChallenge.objects.filter(expires_at__lte=timezone.now()).delete()
    row = PasskeyChallenge.objects.create(
        purpose=purpose, challenge=challenge, user=user, expires_at=timezone.now() + CHALLENGE_TTL
    )
    return row.id


def _take_challenge(challenge_id: uuid.UUID, purpose: str) -> PasskeyChallenge:
    """The challenge, deleted as it is read: of two uses at once, the database lets one win."""
    row = PasskeyChallenge.objects.filter(
        pk=challenge_id, purpose=purpose, expires_at__gt=timezone.now()
    ).first()
    if row is None or not PasskeyChallenge.objects.filter(pk=challenge_id).delete()[0]:
        raise AuthError(_("This passkey request has expired; try again."), code="PASSKEY_EXPIRED")
    return row


def begin_registration(*, user: User, rp: RelyingParty) -> Ceremony:
    """Options to create a passkey for ``user`` (the ones they have are excluded)."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=_user_handle(user),
        user_name=user.phone,
        user_display_name=user.name,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    challenge_id = _challenge(Purpose.REGISTER, options.challenge, user)
    return Ceremony(challenge_id, options_to_json_dict(options))


def register_passkey(
    *, user: User, challenge_id: uuid.UUID, credential: dict[str, Any], name: str, rp: RelyingParty
) -> Passkey:
    """Keep the new passkey's public key, once the browser's answer checks out; audited."""
    if user.passkeys.count() >= MAX_PASSKEYS:
        raise StateConflict(
            _("You have %(count)d passkeys; remove one first.") % {"count": MAX_PASSKEYS},
            code="too_many_passkeys",
        )
    challenge = _take_challenge(challenge_id, Purpose.REGISTER)  # spent, whatever follows
    if challenge.user_id != user.pk:
        raise AuthError(_("This passkey request has expired; try again."), code="PASSKEY_EXPIRED")
    with tenant_atomic():
        try:
            verified = webauthn.verify_registration_response(
                credential=credential,
                expected_challenge=bytes(challenge.challenge),
                expected_rp_id=rp.id,
                expected_origin=rp.origin,
                require_user_verification=True,
            )
        except WebAuthnException as exc:
            raise ValidationError(
                _("The passkey could not be checked: %(reason)s") % {"reason": exc},
                code="passkey_invalid",
            ) from exc
        if Passkey.objects.filter(credential_id=verified.credential_id).exists():
            raise StateConflict(_("This passkey is already added."), code="passkey_taken")
        passkey = Passkey.objects.create(
            user=user,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            name=name.strip()[:60] or _("Passkey"),
        )
        record(actor=user, action="passkey.added", target=passkey, name=passkey.name)
    return passkey


def begin_assertion(*, rp: RelyingParty, user: User | None = None) -> Ceremony:
    """Options to sign with a passkey: any of the complex's (sign-in) or ``user``'s own."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=_descriptors(user) if user else [],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    purpose = Purpose.CONFIRM if user else Purpose.SIGN_IN
    return Ceremony(_challenge(purpose, options.challenge, user), options_to_json_dict(options))


def _check_assertion(
    challenge: PasskeyChallenge, credential: dict[str, Any], rp: RelyingParty
) -> Passkey:
    refused = AuthError(_("This passkey is not known here."), code="PASSKEY_REFUSED")
    try:
        parsed = parse_authentication_credential_json(credential)
    except WebAuthnException as exc:
        raise refused from exc
    passkey = Passkey.objects.select_related("user").filter(credential_id=parsed.raw_id).first()
    if passkey is None or not passkey.user.is_active:
        raise refused
    if challenge.user_id is not None and challenge.user_id != passkey.user_id:
        raise refused
    try:
        verified = webauthn.verify_authentication_response(
            credential=parsed,
            expected_challenge=bytes(challenge.challenge),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        raise AuthError(
            _("The passkey's answer was refused: %(reason)s") % {"reason": exc},
            code="PASSKEY_REFUSED",
        ) from exc
    # The counter moves only forward, decided by the database: a cloned
    # authenticator replaying an old count loses the race.
    moved = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
        sign_count=max(verified.new_sign_count, passkey.sign_count),
        last_used_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not moved:
        raise refused
    return passkey


def sign_in_with_passkey(
    *, challenge_id: uuid.UUID, credential: dict[str, Any], rp: RelyingParty
) -> User:
    """The person whose passkey signed the challenge; audited as a sign-in."""
    challenge = _take_challenge(challenge_id, Purpose.SIGN_IN)
    with tenant_atomic():
        passkey = _check_assertion(challenge, credential, rp)
        record(actor=passkey.user, action="passkey.signed_in", target=passkey)
    return passkey.user


def confirm_with_passkey(
    *, user: User, challenge_id: uuid.UUID, credential: dict[str, Any], rp: RelyingParty
) -> Passkey:
    """Proof that ``user`` is holding one of their passkeys now (not only their token)."""
    challenge = _take_challenge(challenge_id, Purpose.CONFIRM)
    if challenge.user_id != user.pk:
        raise AuthError(_("This passkey is not known here."), code="PASSKEY_REFUSED")
    return _check_assertion(challenge, credential, rp)


def remove_passkey(*, passkey: Passkey, actor: User) -> None:
    """The passkey signs in no more; audited."""
    with tenant_atomic():
        record(actor=actor, action="passkey.removed", target=passkey, name=passkey.name)
        passkey.delete()


def relying_party(request: HttpRequest) -> RelyingParty:
    """The relying party of a request: its host (no port), its origin, its complex's name."""
    host = request.get_host()
    tenant = current_tenant()
    return RelyingParty(
        id=host.rsplit(":", 1)[0] if not host.endswith("]") else host,
        origin=f"{request.scheme}://{host}",
        name=tenant.name if tenant else "Klustera",
    )
