"""The payment gateway's records: Xendit keys, attempts, callbacks, virtual accounts, proofs.

The money itself (payments, allocations, reversals, refunds) is billing's
ledger; this app books it only through ``billing.services.record_payment``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.billing.models import Invoice, Payment
from klustera.estate.models import Unit
from klustera.tenancy.files import private_upload
from klustera.timestamps import Timestamped


class XenditAccount(Timestamped):
    """The complex's Xendit account (one row): its keys, stored encrypted, and its choices."""

    secret_key = models.TextField(blank=True)  # encrypted
    callback_token = models.TextField(blank=True)  # encrypted
    for_user_id = models.CharField(max_length=64, blank=True)  # a xenPlatform sub-account
    channels = models.JSONField(default=list)  # e.g. ["QRIS", "BCA_VIRTUAL_ACCOUNT", "OVO"]
    allow_partial = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "xendit account"


class PaymentAttempt(Timestamped):
    """One try at paying an invoice online: a hosted checkout session or a QRIS code."""

    class Kind(models.TextChoices):
        CHECKOUT = "checkout", _("Checkout")
        QRIS = "qris", _("QRIS")

    class Status(models.TextChoices):
        CREATING = "creating", _("Being prepared")
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHECKOUT)
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATING)
    reference_id = models.CharField(max_length=64, unique=True)  # ours, sent to Xendit
    gateway_id = models.CharField(max_length=100, blank=True)  # ps-… or pr-…
    checkout_url = models.URLField(max_length=500, blank=True)
    qr_string = models.TextField(blank=True)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    # Paid, but not the amount asked: a manager looks before anything else happens.
    last_failure = models.CharField(max_length=40, blank=True)  # Xendit's code of a failed try
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=300, blank=True)
    payment = models.OneToOneField(  # what the ledger booked when it was paid
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempt"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.reference_id


class CallbackEvent(Timestamped):
    """Every callback Xendit sent, stored raw before anything is done with it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    event = models.CharField(max_length=60)
    gateway_id = models.CharField(max_length=100, blank=True)
    body = models.JSONField()
    webhook_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event} {self.gateway_id}"


class UnitVirtualAccount(Timestamped):
    """A unit's own, reusable virtual account: every transfer to it pays the unit's bills."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="virtual_account")
    bank = models.CharField(max_length=40)  # BCA_VIRTUAL_ACCOUNT …
    number = models.CharField(max_length=40)
    reference_id = models.CharField(max_length=64, unique=True)
    payment_request_id = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return f"{self.bank} {self.number}"


class TransferProof(Timestamped):
    """A resident's photo of a bank transfer, waiting for a manager to approve or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="transfer_proofs")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    transferred_on = models.DateField()
    bank = models.CharField(max_length=60, blank=True)  # the sender's bank and name, as typed
    image = models.ImageField(upload_to=private_upload)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # why it was rejected
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="transfer_proof"
    )

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="transfer_proof_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"proof {self.pk} for {self.unit_id}"
