"""The complex's notification settings, with the providers' secrets stored encrypted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from klustera.audit.services import record
from klustera.crypto import decrypt, encrypt
from klustera.notifications.models import NotificationSettings
from klustera.tenancy.context import tenant_atomic

SECRET_PURPOSE = "notifications.secret"  # noqa: S105  (an encryption purpose)
TOKEN_PURPOSE = "notifications.provider-token"  # noqa: S105

if TYPE_CHECKING:  # notifications sit below accounts: they name users, never import them
    from klustera.accounts.models import User


def provider_token(value: str) -> str:
    """A provider's token or secret as stored (encrypted), in clear for the call."""
    return decrypt(value, purpose=TOKEN_PURPOSE) if value else ""


def notification_settings() -> NotificationSettings:
    return NotificationSettings.objects.get_or_create(pk=1)[0]


def twilio_auth_token() -> str:
    return provider_token(notification_settings().twilio_auth_token)


EDITABLE_SETTINGS = (
    "whatsapp_provider", "whatsapp_phone_number_id", "whatsapp_access_token",
    "whatsapp_app_secret", "whatsapp_verify_token", "fonnte_token", "sms_provider",
    "twilio_account_sid", "twilio_auth_token", "twilio_from", "email_from", "quiet_start",
    "quiet_end",
)  # fmt: skip
SECRET_FIELDS = (
    "whatsapp_access_token",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
    "fonnte_token",
    "twilio_auth_token",
)


def update_settings(*, changes: dict[str, Any], actor: User | None = None) -> NotificationSettings:
    """Change the complex's provider settings; secret fields are stored encrypted, audited."""
    with tenant_atomic():
        # The audit names the fields, never the secrets' values.
        record(actor=actor, action="notifications.settings_changed", fields=sorted(changes))
        config = NotificationSettings.objects.select_for_update().get_or_create(pk=1)[0]
        for field, value in changes.items():
            if field in SECRET_FIELDS:
                value = encrypt(value, purpose=TOKEN_PURPOSE) if value else ""
            setattr(config, field, value)
        config.save()
    return config


def whatsapp_app_secret() -> str:
    return provider_token(notification_settings().whatsapp_app_secret)


def whatsapp_verify_token() -> str:
    return provider_token(notification_settings().whatsapp_verify_token)
