"""Platform records: the tenants (complexes) and the hosts they are reached on."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.timestamps import Timestamped

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "static",
        "media",
        "app",
        "platform",
        "mail",
        "smtp",
        "ftp",
        "status",
        "health",
        "healthz",
        "readyz",
        "metrics",
        "docs",
        "help",
        "support",
        "billing",
        "login",
        "logout",
        "auth",
        "assets",
        "cdn",
        "root",
        "system",
        "test",
        "default",
    }
)


def validate_slug(value: str) -> None:
    """Slugs name databases and subdomains: 3–63 lowercase letters, digits and hyphens."""
    if not SLUG_PATTERN.match(value or "") or "--" in value:
        raise ValidationError(
            _(
                "Use 3–63 lowercase letters, digits and single hyphens, "
                "starting and ending with a letter or digit."
            ),
            code="invalid_slug",
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("'%(slug)s' is reserved."), code="reserved_slug", params={"slug": value}
        )


class Tenant(Timestamped):
    """One residential complex; everything it owns lives in its own database."""

    class Plan(models.TextChoices):
        FREE = "free", _("Free")
        STANDARD = "standard", _("Standard")
        ENTERPRISE = "enterprise", _("Enterprise")

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("Provisioning")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")
        # Its database is being copied to another cluster: answered 503, its tasks wait.
        MOVING = "moving", _("Moving")

    class TimeZone(models.TextChoices):
        WIB = "Asia/Jakarta", "WIB (Asia/Jakarta)"
        WIB_PONTIANAK = "Asia/Pontianak", "WIB (Asia/Pontianak)"
        WITA = "Asia/Makassar", "WITA (Asia/Makassar)"
        WIT = "Asia/Jayapura", "WIT (Asia/Jayapura)"

    class Locale(models.TextChoices):
        INDONESIAN = "id", "Bahasa Indonesia"
        ENGLISH = "en", "English"

    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=63, unique=True, validators=[validate_slug])
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    max_units = models.PositiveIntegerField(default=50)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROVISIONING)
    time_zone = models.CharField(max_length=40, choices=TimeZone.choices, default=TimeZone.WIB)
    locale = models.CharField(max_length=5, choices=Locale.choices, default=Locale.INDONESIAN)
    db_cluster = models.CharField(max_length=63, default="default")
    db_name = models.CharField(max_length=500, blank=True)
    # The complex its database's encrypted values were sealed for (crypto binds them to it):
    # another complex's, when its database is a restored or replaced copy. Empty: its own.
    key_scope = models.CharField(max_length=63, blank=True)
    # When its service ended: its plan with it; its database is kept.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["provisioning", "active", "suspended", "cancelled", "moving"]
                ),
                name="tenant_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def sealed_as(self) -> str:
        """The complex name its encrypted values and lookup hashes are bound to."""
        return self.key_scope or self.slug

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Domain(Timestamped):
    """A host name that reaches a tenant (a custom domain or a subdomain)."""

    host = models.CharField(max_length=253, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="domains")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["host"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name="domain_one_primary_per_tenant",
            )
        ]

    def __str__(self) -> str:
        return self.host
