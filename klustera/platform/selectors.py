"""The platform's figures: usage per complex and the business metrics across complexes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from klustera.billing.models import Invoice
from klustera.estate.models import Unit
from klustera.formatting import percent
from klustera.privacy.selectors import overdue_requests
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@dataclass(frozen=True)
class Usage:
    tenant: Tenant
    units: int
    billed: Decimal  # this month, in the complex's own zone
    paid: Decimal
    overdue_requests: int = 0  # personal-data requests past their 3 × 24 hours

    @property
    def monthly_fee(self) -> Decimal:
        """What the complex pays a month: its plan's price per unit, up to its unit limit."""
        price = Decimal(settings.PLAN_PRICES.get(self.tenant.plan, 0))
        return price * min(self.units, self.tenant.max_units)

    @property
    def collection_rate(self) -> int:
        """Paid of billed this month, the same way as the figure across complexes."""
        return percent(self.paid, self.billed)


def usage_of(tenant: Tenant) -> Usage:
    if tenant.status != Tenant.Status.ACTIVE:
        return Usage(tenant, 0, Decimal(0), Decimal(0))
    with tenant_context(tenant):
        month = timezone.localdate().replace(day=1)
        sums = (
            Invoice.objects.exclude(status=Invoice.Status.CANCELLED)
            .filter(period=month)
            .aggregate(billed=Sum("total"), paid=Sum("amount_paid"))
        )
        zero = Decimal(0)
        return Usage(
            tenant,
            Unit.objects.count(),
            sums["billed"] or zero,
            sums["paid"] or zero,
            overdue_requests=overdue_requests().count(),
        )


@dataclass(frozen=True)
class Metrics:
    active: int
    suspended: int
    units: int
    mrr: Decimal
    billed: Decimal
    paid: Decimal

    @property
    def collection_rate(self) -> int:
        return percent(self.paid, self.billed)


def metrics(usages: list[Usage]) -> Metrics:
    active = [u for u in usages if u.tenant.status == Tenant.Status.ACTIVE]
    return Metrics(
        active=len(active),
        suspended=sum(u.tenant.status == Tenant.Status.SUSPENDED for u in usages),
        units=sum(u.units for u in active),
        mrr=sum((u.monthly_fee for u in active), Decimal(0)),
        billed=sum((u.billed for u in active), Decimal(0)),
        paid=sum((u.paid for u in active), Decimal(0)),
    )
