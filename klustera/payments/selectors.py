"""Reads of online payments."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from klustera.billing.models import Invoice
from klustera.payments.models import PaymentAttempt

RECENT = timedelta(hours=24)  # older attempts are history, not "your payment"


def latest_attempt(invoice: Invoice) -> PaymentAttempt | None:
    """The invoice's most recent online payment of the last day, if any."""
    return (
        PaymentAttempt.objects.filter(invoice=invoice, created_at__gte=timezone.now() - RECENT)
        .order_by("-created_at", "-pk")
        .first()
    )
