"""Reads of payments, scoped to what a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from klustera.accounts.policies import is_manager
from klustera.payments.models import Payment


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    """Managers see every payment; a resident sees those of the units they live in now."""
    payments = Payment.objects.select_related("unit").prefetch_related("allocations__invoice")
    if is_manager(user):
        return payments
    return payments.filter(
        unit__occupancies__resident__user=user, unit__occupancies__end_on__isnull=True
    ).distinct()
