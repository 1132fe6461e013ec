"""Money received for a unit, and how it settles the unit's invoices.

A payment belongs to a unit, not to one invoice: it is allocated to the
unit's open invoices, oldest first. What is not allocated is the unit's
credit, applied to the next invoice when it is issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klustera.billing.models import Invoice
from klustera.estate.models import Unit


class Payment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        QRIS = "qris", _("QRIS")
        VIRTUAL_ACCOUNT = "virtual_account", _("Virtual account")
        EWALLET = "ewallet", _("E-wallet")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    method = models.CharField(max_length=20, choices=Method.choices)
    channel = models.CharField(max_length=30, blank=True)  # BCA, OVO, …
    reference = models.CharField(max_length=100, blank=True)  # the bank's or gateway's id
    receipt_number = models.CharField(max_length=40, unique=True)
    paid_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    receipt_pdf = models.FileField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return self.receipt_number


class Allocation(models.Model):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="allocation_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} to {self.invoice_id}"
