"""Reads of payments, scoped to what a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from klustera.accounts.policies import is_manager
from klustera.estate.selectors import of_residents_units
from klustera.payments.models import Payment


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    """Managers see every payment; a resident sees those of the units they live in now."""
    payments = Payment.objects.select_related("unit").prefetch_related("allocations__invoice")
    if is_manager(user):
        return payments
    return of_residents_units(payments, user)
