"""Use cases of identity: users, bearer tokens with rotating refresh, one-time codes."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import structlog
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import (
    ApiKey,
    ApiToken,
    AuthFailure,
    OneTimeCode,
    RefreshToken,
    User,
)
from klustera.accounts.signals import account_switched_off
from klustera.accounts.token_cache import forget_tokens, forget_user
from klustera.audit.services import record
from klustera.crypto import keyed_hash, keyed_hashes
from klustera.errors import StateConflict
from klustera.notifications.models import Channel, Consent
from klustera.notifications.services import notify
from klustera.phones import normalize_phone
from klustera.roles import STAFF_ROLES, Role
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.security import report

REFRESH_TTL = timedelta(days=60)
CODE_TTL = timedelta(minutes=5)
CODE_MAX_ATTEMPTS = 5
LOCKOUT_FAILURES = 10  # per phone …
IP_LOCKOUT_FAILURES = 30  # … and per address (several residents may share one) …
LOCKOUT_WINDOW = timedelta(minutes=15)  # … within this window
CODE_PURPOSE = "accounts.one-time-code"
# Each code costs a WhatsApp or SMS message: at most this many per phone per window.
CODES_PER_WINDOW = 3

events = structlog.get_logger("klustera.events")


class AuthError(Exception):
    """A sign-in, token or code problem, with the API error code to answer with."""

    def __init__(
        self, message: str, *, code: str = "UNAUTHENTICATED", retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after  # seconds, with RATE_LIMITED


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime
    record: ApiToken


def create_user(
    *,
    phone: str,
    name: str,
    password: str | None = None,
    email: str = "",
    roles: Iterable[str] = (),
) -> User:
    """Create a user of the current complex holding ``roles``; the phone is stored as E.164.

    A password, when given, passes the complex's password rules (a user
    without one signs in with a code until they choose one).
    """
    phone = normalize_phone(phone)
    if password is not None:
        try:
            validate_password(password, User(phone=phone, name=name, email=email))
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    with tenant_atomic():
        user = User.objects.create_user(phone, password, name=name.strip(), email=email)
        for role in roles:
            group, _created = Group.objects.get_or_create(name=Role(role).value)
            user.groups.add(group)
    return user


def create_staff(
    *, phone: str, name: str, role: str, password: str | None, actor: User, email: str = ""
) -> User:
    """A staff account (security, cleaning, facility) created by a manager, audited."""
    if role not in STAFF_ROLES:
        raise ValidationError(_("Staff are security, cleaning or facility staff."))
    phone = normalize_phone(phone)
    if User.objects.filter(phone=phone).exists():
        raise StateConflict(
            {"phone": [_("Someone with this phone number already has an account.")]},
            code="phone_taken",
        )
    with tenant_atomic():
        user = create_user(phone=phone, name=name, password=password, email=email, roles=[role])
        record(actor=actor, action="staff.created", target=user, role=role)
    return user


def set_staff_active(*, user: User, active: bool, actor: User) -> User:
    """A staff account stops (or starts again) signing in; its tokens end when it stops."""
    if not set(user.groups.values_list("name", flat=True)) & STAFF_ROLES:
        raise ValidationError(
            _("Only staff accounts are switched on and off here."), code="not_a_staff_account"
        )
    with tenant_atomic():
        User.objects.filter(pk=user.pk).update(is_active=active, updated_at=timezone.now())
        forget_user(user.pk)
        user.is_active = active
        if not active:
            revoke_all_tokens(user=user)
            account_switched_off.send(sender=User, user=user, actor=actor)
        record(
            actor=actor, action="staff.activated" if active else "staff.deactivated", target=user
        )
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret() -> str:
    tenant = current_tenant()
    assert tenant is not None, "tokens are issued inside a complex"
    # The slug routes the token on a shared API host; 256 random bits make it unguessable.
    return f"{tenant.slug}.{secrets.token_urlsafe(32)}"


def issue_token(
    *, user: User, device_name: str = "", family: uuid.UUID | None = None
) -> tuple[str, ApiToken]:
    """A new access token for ``user`` (valid ``API_TOKEN_TTL_DAYS``); only its digest is kept."""
    token = _new_secret()
    record = ApiToken.objects.create(
        user=user,
        family=family or uuid.uuid4(),
        digest=token_digest(token),
        device_name=device_name[:100],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, record


def issue_tokens(
    *, user: User, device_name: str = "", family: uuid.UUID | None = None
) -> TokenPair:
    """An access token and a refresh token of one family (one signed-in device)."""
    family = family or uuid.uuid4()
    with tenant_atomic():
        access, record = issue_token(user=user, device_name=device_name, family=family)
        refresh = _new_secret()
        RefreshToken.objects.create(
            user=user,
            family=family,
            digest=token_digest(refresh),
            device_name=device_name[:100],
            expires_at=timezone.now() + REFRESH_TTL,
        )
    return TokenPair(access, refresh, record.expires_at, record)


def refresh_tokens(*, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair; each refresh token works once.

    Presenting one that was already used means it was copied: the whole
    family (every token of that device's sign-in) is revoked.
    """
    now = timezone.now()
    with tenant_atomic():
        record = (
            RefreshToken.objects.select_for_update()
            .select_related("user")
            .filter(digest=token_digest(refresh_token))
            .first()
        )
        if record is None or record.revoked_at is not None or not record.user.is_active:
            raise AuthError(_("Invalid refresh token."))
        reused = record.used_at is not None
        if reused:
            # Committed before the error is raised: the revocation must stick.
            revoke_family(family=record.family)
        elif record.expires_at > now:
            record.used_at = now
            record.save(update_fields=["used_at"])
            # The access tokens issued before this refresh stop working too.
            forget_tokens(
                ApiToken.objects.filter(family=record.family, revoked_at__isnull=True).only(
                    "digest"
                )
            )
            ApiToken.objects.filter(family=record.family, revoked_at__isnull=True).update(
                revoked_at=now
            )
            return issue_tokens(
                user=record.user, device_name=record.device_name, family=record.family
            )
    if reused:
        raise AuthError(_("This refresh token was already used; the device is signed out."))
    raise AuthError(_("The refresh token has expired."), code="TOKEN_EXPIRED")


# --- API keys for the complex's own systems ---------------------------------------

API_KEY_MARK = "key_"  # after the complex's slug: tells a key from a device's token
API_KEY_LONGEST = timedelta(days=366)


def is_api_key(secret: str) -> bool:
    return secret.partition(".")[2].startswith(API_KEY_MARK)


def create_api_key(
    *, name: str, scope: str, expires_at: datetime, actor: User
) -> tuple[ApiKey, str]:
    """A key that acts for ``actor`` (a manager) within ``scope``; returns it with its secret.

    Only the secret's digest is stored: this is the one time it can be shown.
    A key lives a year at most. Audited.
    """
    if Role.PROPERTY_MANAGER not in {group.name for group in actor.groups.all()}:
        raise ValidationError(_("Only managers create API keys."), code="not_a_manager")
    if scope not in ApiKey.Scope.values:
        raise ValidationError({"scope": [_("Choose read only, billing or access.")]})
    now = timezone.now()
    if not now < expires_at <= now + API_KEY_LONGEST:
        raise ValidationError({"expires_at": [_("A key expires within a year from today.")]})
    tenant = current_tenant()
    assert tenant is not None, "keys are made inside a complex"
    secret = f"{tenant.slug}.{API_KEY_MARK}{secrets.token_urlsafe(32)}"
    with tenant_atomic():
        key = ApiKey.objects.create(
            name=name.strip()[:100],
            scope=scope,
            digest=token_digest(secret),
            hint=secret[-4:],
            created_by=actor,
            expires_at=expires_at,
        )
        record(actor=actor, action="api_key.created", target=key, name=key.name, scope=scope)
    return key, secret


def revoke_api_key(*, key: ApiKey, actor: User) -> ApiKey:
    """The key stops working at once; audited."""
    with tenant_atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            record(actor=actor, action="api_key.revoked", target=key, name=key.name)
    return key


def revoke_family(*, family: uuid.UUID) -> None:
    now = timezone.now()
    forget_tokens(ApiToken.objects.filter(family=family, revoked_at__isnull=True).only("digest"))
    ApiToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)
    RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)


def revoke_token(*, token: ApiToken) -> None:
    """Sign the token's device out: its access and refresh tokens stop working."""
    with tenant_atomic():
        revoke_family(family=token.family)


def revoke_all_tokens(*, user: User) -> None:
    now = timezone.now()
    with tenant_atomic():
        forget_user(user.pk)
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)


def _phone_not_locked_out(raw: str, *, wrong: str, ip: str | None) -> str:
    """The normalised phone of a sign-in attempt; refuses malformed or locked-out phones.

    A phone with 10 failures in 15 minutes, or an address with 30, is locked
    out until the oldest of those failures leaves the window.
    """
    try:
        phone = normalize_phone(raw)
    except ValidationError:
        raise AuthError(wrong) from None
    now = timezone.now()
    recent = AuthFailure.objects.filter(created_at__gte=now - LOCKOUT_WINDOW)
    limits = [(recent.filter(phone=phone), LOCKOUT_FAILURES)]
    if ip:
        limits.append((recent.filter(ip=ip), IP_LOCKOUT_FAILURES))
    for failures, limit in limits:
        oldest = failures.order_by("-created_at").values_list("created_at", flat=True)
        tipping = list(oldest[limit - 1 : limit])
        if tipping:
            wait = (tipping[0] + LOCKOUT_WINDOW - now).total_seconds()
            report("locked_out", ip=ip, detail=f"phone …{phone[-4:]}")
            raise AuthError(
                _("Too many failed attempts; try again in 15 minutes."),
                code="RATE_LIMITED",
                retry_after=max(math.ceil(wait), 1),
            )
    return phone


def _record_failure(phone: str, kind: str, ip: str | None) -> None:
    AuthFailure.objects.create(phone=phone[:20], kind=kind, ip=ip)
    report("sign_in_failed", ip=ip, detail=f"{kind}, phone …{phone[-4:]}")
    events.info("auth.login_failed", kind=kind, phone=phone, ip=ip)  # the phone: redacted


def authenticate_password(*, phone: str, password: str, ip: str | None) -> User:
    """The active user with this phone and password; every failure counts towards a lock-out.

    The one check behind the API's and the portal's password sign-in (and the
    platform console's): 10 failures in 15 minutes lock the phone out, 30 the address.
    """
    wrong = _("The phone number or password is wrong.")
    phone = _phone_not_locked_out(phone, wrong=wrong, ip=ip)
    user = authenticate(username=phone, password=password)
    if user is None:
        _record_failure(phone, "password", ip)
        raise AuthError(wrong)
    return cast(User, user)


def login_with_password(
    *, phone: str, password: str, device_name: str = "", ip: str | None = None
) -> TokenPair:
    """Sign a device in with phone and password (``authenticate_password``'s lock-out)."""
    user = authenticate_password(phone=phone, password=password, ip=ip)
    return issue_tokens(user=user, device_name=device_name)


def update_profile(*, user: User, name: str, email: str, language: str) -> User:
    """The user's own name, email and language (their phone is their sign-in: not here)."""
    if language not in User.Language.values:
        raise ValidationError({"language": [_("Choose Bahasa Indonesia or English.")]})
    user.name, user.email, user.language = name.strip(), email.strip().lower(), language
    user.save(update_fields=["name", "email", "language"])
    return user


def set_language(*, user: User, language: str) -> None:
    """The language the portal and the user's messages use."""
    if language not in User.Language.values:
        raise ValidationError({"language": [_("Choose Bahasa Indonesia or English.")]})
    User.objects.filter(pk=user.pk).update(language=language, updated_at=timezone.now())
    forget_user(user.pk)
    user.language = language


def change_password(*, user: User, new_password: str) -> None:
    """Set a new password; every device is signed out."""
    validate_password(new_password, user)
    with tenant_atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoke_all_tokens(user=user)


# --- One-time codes ----------------------------------------------------------


def request_code(*, phone: str, purpose: str) -> None:
    """Send a 6-digit code to the user with this phone, if there is one.

    Answers the same whether or not the phone belongs to a user, so it
    reveals nothing. The code reaches the user on WhatsApp when they opted
    in, by SMS otherwise; only its keyed hash is stored. At most three codes
    go to one phone in 15 minutes, which bounds what a flood can cost.
    """
    try:
        phone = normalize_phone(phone)
    except ValidationError:
        return
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        return
    recent = OneTimeCode.objects.filter(
        phone=phone, created_at__gte=timezone.now() - LOCKOUT_WINDOW
    )
    if recent.count() >= CODES_PER_WINDOW:
        return  # silently: the answer must not differ, and the cost must stay bounded
    code = f"{secrets.randbelow(10**6):06d}"
    on_whatsapp = Consent.objects.filter(
        user=user, channel=Channel.WHATSAPP, revoked_at__isnull=True
    ).exists()
    with tenant_atomic():
        OneTimeCode.objects.filter(phone=phone, purpose=purpose, consumed_at__isnull=True).update(
            consumed_at=timezone.now()
        )
        OneTimeCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=keyed_hash(code, purpose=CODE_PURPOSE),
            expires_at=timezone.now() + CODE_TTL,
        )
        notify(
            recipient=user,
            template="otp",
            context={"code": code},
            channels=[Channel.WHATSAPP if on_whatsapp else Channel.SMS],
        )


def check_code(*, phone: str, code: str, purpose: str, ip: str | None = None) -> User:
    """The user whose current code this is; each code allows 5 tries within 5 minutes."""
    wrong = _("The code is wrong or has expired.")
    phone = _phone_not_locked_out(phone, wrong=wrong, ip=ip)
    now = timezone.now()
    with tenant_atomic():
        challenge = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, consumed_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if challenge is None or challenge.attempts >= CODE_MAX_ATTEMPTS:
            raise AuthError(wrong)
        challenge.attempts += 1
        given = keyed_hashes((code or "").strip(), purpose=CODE_PURPOSE)
        matched = any([hmac.compare_digest(challenge.code_hash, digest) for digest in given])
        if matched:
            challenge.consumed_at = now
        # Saved whatever the outcome: every wrong try counts.
        challenge.save(update_fields=["attempts", "consumed_at"])
        if not matched:
            _record_failure(phone, "otp", ip)
        user = User.objects.filter(phone=phone, is_active=True).first() if matched else None
    if user is None:
        raise AuthError(wrong)
    return user


def reset_password(*, phone: str, code: str, new_password: str, ip: str | None = None) -> User:
    """Set a new password after proving the phone with a reset code; signs every device out."""
    user = check_code(phone=phone, code=code, purpose=OneTimeCode.Purpose.PASSWORD_RESET, ip=ip)
    change_password(user=user, new_password=new_password)
    return user
