"""Users and API tokens. Both tables exist in every tenant database and in the platform one."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klustera.phones import normalize_phone
from klustera.timestamps import Timestamped


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        try:
            phone = normalize_phone(username or "")
        except ValidationError:
            raise self.model.DoesNotExist from None  # a malformed phone is just a failed login
        return self.get(phone=phone)

    def create_user(self, phone: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(phone=normalize_phone(phone), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_superuser=True, is_staff=True)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin, Timestamped):
    """A person who signs in: a resident, a manager or staff of one complex (or platform staff)."""

    class Language(models.TextChoices):
        INDONESIAN = "id", "Bahasa Indonesia"
        ENGLISH = "en", "English"

    phone = models.CharField(_("phone"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.INDONESIAN)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"


class BearerSecret(Timestamped):
    """What a token and an API key share: a digest (never the secret) and a lifetime."""

    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(BearerSecret):
    """An opaque bearer token for one device; only its SHA-256 digest is stored.

    Tokens issued together by one sign-in share a ``family`` with their
    refresh tokens; revoking the family signs that device out.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    family = models.UUIDField(default=uuid.uuid4, db_index=True)
    device_name = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"


class ApiKey(BearerSecret):
    """A key for one of the complex's own systems (accounting, a gate controller, a bot).

    It acts for the manager who made it, within its scope, until it expires or
    is revoked; only its SHA-256 digest is stored, and it is shown once.
    """

    class Scope(models.TextChoices):
        READ_ONLY = "read_only", _("Read only")
        BILLING = "billing", _("Billing and payments")
        ACCESS = "access", _("Gate access")

    rate_scope = "api_key"  # its own rate limit, apart from its maker's (klustera.throttling)

    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=12, choices=Scope.choices)
    hint = models.CharField(max_length=12)  # the key's last characters, to tell keys apart
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")

    def __str__(self) -> str:
        return f"API key {self.name}"


class RefreshToken(Timestamped):
    """A single-use refresh token; presenting a used one revokes its whole family."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    family = models.UUIDField(db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    device_name = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh token {self.pk} of {self.user_id}"


class OneTimeCode(Timestamped):
    """A code sent to a phone to sign in or reset a password; only its keyed hash is stored."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Sign in")
        PASSWORD_RESET = "password_reset", _("Password reset")

    phone = models.CharField(max_length=16, db_index=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.phone}"


class AuthFailure(Timestamped):
    """A failed sign-in or code check, kept to lock out guessing and to show managers."""

    phone = models.CharField(max_length=20, db_index=True)
    kind = models.CharField(max_length=10)  # password, otp
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Read by time window (lockouts, the trail): indexed.
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} failure for {self.phone}"


class Passkey(Timestamped):
    """A WebAuthn credential (fingerprint, face, screen lock) that signs its owner in.

    It lives in the complex's own database, so a passkey made in one complex
    is unknown to every other; only its public key is kept.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.BinaryField(max_length=1023, unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    name = models.CharField(_("name"), max_length=60)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"passkey {self.name} of {self.user_id}"


class PasskeyChallenge(Timestamped):
    """A challenge handed to a browser for one ceremony, used at most once."""

    class Purpose(models.TextChoices):
        REGISTER = "register"
        SIGN_IN = "sign_in"
        CONFIRM = "confirm"  # a signed-in person proves it is them (the gate tablet)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    challenge = models.BinaryField(max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.purpose} challenge {self.id}"
