"""Users and API tokens. Both tables exist in every tenant database and in the platform one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klustera.accounts.phones import normalize_phone


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


class User(AbstractBaseUser, PermissionsMixin):
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

    def has_role(self, role: str) -> bool:
        # Uses the prefetch cache when present, so lists of users stay one query.
        return any(group.name == role for group in self.groups.all())


class ApiToken(models.Model):
    """An opaque bearer token for one device; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    device_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
