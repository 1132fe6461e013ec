"""The outbox and what decides what goes into it: consent, preferences, provider settings."""

from __future__ import annotations

import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.timestamps import Timestamped

REDACTED = "••••••"  # what a message's stored context holds in place of a secret parameter


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", _("Email")
    SMS = "sms", "SMS"
    PUSH = "push", _("Push")
    INBOX = "inbox", _("In the app")  # the inbox in the portal: always delivered, never fails


class Category(models.TextChoices):
    BILLING = "billing", _("Billing")
    SECURITY = "security", _("Security")
    COMMUNITY = "community", _("Community")
    COMPLAINTS = "complaints", _("Complaints")


class Message(Timestamped):
    """One message to one address on one channel: the outbox row.

    Secret parameters (one-time codes, guest codes) are never stored in
    ``context``; they travel encrypted in ``secret_ciphertext`` until the
    message reaches a final state, and are wiped then.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    to_name = models.CharField(max_length=150, blank=True)
    to_address = models.CharField(max_length=500)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    category = models.CharField(max_length=10, choices=Category.choices)
    template = models.CharField(max_length=40)
    language = models.CharField(max_length=5, default="id")
    context = models.JSONField(default=dict)
    secret_ciphertext = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    skip_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # What the message is about ("announcement:12", "poll:3"): read receipts and the inbox's link.
    about = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["recipient", "channel", "read_at"], name="message_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to_address} ({self.channel}, {self.status})"

    @property
    def can_be_resent(self) -> bool:
        """Whether sending it again could work: it failed, it held no one-time code, and it
        was not skipped for a reason that still stands (no opt-in, no address)."""
        resendable = self.status == self.Status.FAILED or (
            self.status == self.Status.SKIPPED and not self.skip_reason
        )
        return resendable and REDACTED not in self.context.values()


class Consent(Timestamped):
    """A user's recorded opt-in to be messaged on a channel (WhatsApp requires one)."""

    class Method(models.TextChoices):
        APP_SETTING = "app_setting", _("Switched on by the user in the app")
        REGISTRATION = "registration", _("Ticked at registration")
        MANAGER_RECORDED = "manager_recorded", _("Recorded by a manager from a signed form")
        WHATSAPP_REPLY = "whatsapp_reply", _("Replied on WhatsApp")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    method = models.CharField(max_length=20, choices=Method.choices)
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="consent_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel} {'revoked' if self.revoked_at else 'granted'}"

    @property
    def is_granted(self) -> bool:
        return self.revoked_at is None


class Preference(Timestamped):
    """Which channels a user wants for a category of messages."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(max_length=10, choices=Category.choices)
    channels = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="preference_one_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}: {','.join(self.channels)}"


class PushSubscription(Timestamped):
    """A browser's Web Push subscription (the staff and resident apps)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"push {self.pk} of {self.user_id}"


class WhatsAppWindow(Timestamped):
    """When a phone last wrote to the complex: free text is allowed for 24 hours after."""

    phone = models.CharField(max_length=16, unique=True)
    last_inbound_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.phone} wrote at {self.last_inbound_at}"


class NotificationSettings(Timestamped):
    """The complex's providers and quiet hours (one row). Tokens are stored encrypted."""

    class WhatsAppProvider(models.TextChoices):
        CONSOLE = "console", _("Console (log only)")
        META_CLOUD = "meta_cloud", "WhatsApp Cloud API (Meta)"
        FONNTE = "fonnte", "Fonnte"

    class SmsProvider(models.TextChoices):
        CONSOLE = "console", _("Console (log only)")
        TWILIO = "twilio", "Twilio"

    whatsapp_provider = models.CharField(
        max_length=20, choices=WhatsAppProvider.choices, default=WhatsAppProvider.CONSOLE
    )
    whatsapp_phone_number_id = models.CharField(max_length=50, blank=True)
    whatsapp_access_token = models.TextField(blank=True)
    whatsapp_app_secret = models.TextField(blank=True)
    whatsapp_verify_token = models.TextField(blank=True)
    fonnte_token = models.TextField(blank=True)
    sms_provider = models.CharField(
        max_length=20, choices=SmsProvider.choices, default=SmsProvider.CONSOLE
    )
    twilio_account_sid = models.CharField(max_length=64, blank=True)
    twilio_auth_token = models.TextField(blank=True)
    twilio_from = models.CharField(max_length=20, blank=True)
    email_from = models.EmailField(blank=True)
    quiet_start = models.TimeField(default=time(21, 0))
    quiet_end = models.TimeField(default=time(7, 0))

    def __str__(self) -> str:
        return "notification settings"
