"""Reads of invoices, scoped to what a user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from klustera.accounts.policies import is_manager
from klustera.billing.models import Invoice


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    """Managers see every invoice; a resident sees the invoices of units they live in now."""
    invoices = Invoice.objects.select_related("unit").prefetch_related("lines")
    if is_manager(user):
        return invoices
    return invoices.filter(
        unit__occupancies__resident__user=user, unit__occupancies__end_on__isnull=True
    ).distinct()


def filter_invoices(invoices: QuerySet[Invoice], params: Any) -> QuerySet[Invoice]:
    """``?period=2026-12&status=pending&unit=<id>&block=A``."""
    period = params.get("period")
    if period:
        year, _, month = period.partition("-")
        if year.isdigit() and month.isdigit():
            invoices = invoices.filter(period__year=int(year), period__month=int(month))
        else:
            invoices = invoices.none()
    for name, lookup in (("status", "status"), ("unit", "unit_id"), ("block", "unit__block")):
        value = params.get(name)
        if value:
            if name == "unit" and not value.isdigit():
                return invoices.none()
            invoices = invoices.filter(**{lookup: value})
    return invoices
