"""The platform's figures: usage per complex and the business metrics across complexes."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q, Sum
from django.utils import timezone

from klustera.accounts.models import User
from klustera.billing.models import Invoice
from klustera.estate.models import Occupancy, Unit
from klustera.formatting import percent
from klustera.platform.models import ComplexUsage
from klustera.privacy.selectors import overdue_requests
from klustera.tenancy.context import tenant_context
from klustera.tenancy.errors import TenantUnavailable
from klustera.tenancy.models import Tenant

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Usage:
    tenant: Tenant
    units: int
    billed: Decimal  # this month, in the complex's own zone
    paid: Decimal
    overdue_requests: int = 0  # personal-data requests past their 3 × 24 hours
    residents: int = 0  # living in a unit today
    daily_active: int = 0  # people who signed in or used the app in the last 24 hours
    monthly_active: int = 0  # … in the last 30 days
    database_error: str = ""  # the kind of error when its database did not answer
    counted_at: datetime | None = None  # when these figures were counted (None: just now)

    @property
    def monthly_fee(self) -> Decimal:
        """What the complex pays a month: its plan's price per unit, up to its unit limit."""
        price = Decimal(settings.PLAN_PRICES.get(self.tenant.plan, 0))
        return price * min(self.units, self.tenant.max_units)

    @property
    def collection_rate(self) -> int:
        """Paid of billed this month, the same way as the figure across complexes."""
        return percent(self.paid, self.billed)


# What the count every 5 minutes keeps of a Usage, field for field, in ``ComplexUsage``.
COUNTED = (
    "units",
    "billed",
    "paid",
    "overdue_requests",
    "residents",
    "daily_active",
    "monthly_active",
    "database_error",
)


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
        now = timezone.now()
        return Usage(
            tenant,
            Unit.objects.count(),
            sums["billed"] or zero,
            sums["paid"] or zero,
            overdue_requests=overdue_requests().count(),
            residents=Occupancy.objects.filter(
                Q(end_on__isnull=True) | Q(end_on__gte=timezone.localdate()),
                start_on__lte=timezone.localdate(),
            )
            .values("resident")
            .distinct()
            .count(),
            daily_active=_active_since(now - timedelta(days=1)),
            monthly_active=_active_since(now - timedelta(days=30)),
        )


def usages_of(tenants: Iterable[Tenant]) -> list[Usage]:
    """Each complex's usage, and so each database's health check: a complex whose database
    does not answer counts with nothing and names the error, and the others are counted."""
    usages = []
    for tenant in tenants:
        try:
            usages.append(usage_of(tenant))
        except (TenantUnavailable, DatabaseError) as exc:
            logger.warning("health.tenant_database_failed", complex=tenant.slug, error=str(exc))
            usages.append(
                Usage(tenant, 0, Decimal(0), Decimal(0), database_error=type(exc).__name__)
            )
    return usages


def recorded_usages(tenants: Iterable[Tenant]) -> list[Usage]:
    """Each complex's usage as last counted (:func:`record_usages`), without opening its
    database; a complex not counted yet, or not served, counts with nothing."""
    tenants = list(tenants)
    rows = {row.tenant_id: row for row in ComplexUsage.objects.filter(tenant__in=tenants)}
    usages = []
    for tenant in tenants:
        row = rows.get(tenant.pk)
        if row is None or tenant.status != Tenant.Status.ACTIVE:
            counted = row.updated_at if row else None
            usages.append(Usage(tenant, 0, Decimal(0), Decimal(0), counted_at=counted))
            continue
        counts = {name: getattr(row, name) for name in COUNTED}
        usages.append(Usage(tenant, **counts, counted_at=row.updated_at))
    return usages


def _active_since(moment: Any) -> int:
    """People who signed in, or whose app used its token, since ``moment`` (a token's use is
    written at most every 5 minutes; a portal session counts on the day it signed in)."""
    return (
        User.objects.filter(
            Q(last_login__gte=moment) | Q(api_tokens__last_used_at__gte=moment), is_active=True
        )
        .distinct()
        .count()
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


def business_figures(usages: list[Usage]) -> dict[str, Any]:
    """What /metrics shows of the business (klustera.observability.metrics.BUSINESS_FIGURES):
    per active complex and across them. Money stays a Decimal, written as text; only the
    exposition turns it into Prometheus' float."""

    def figures(units: int, residents: int, billed: Decimal, paid: Decimal, **rest: Any) -> dict:
        ratio = (paid / billed).quantize(Decimal("0.0001")) if billed else Decimal(0)
        return {
            "units": units,
            "residents_active": residents,
            "invoices_billed_rupiah": str(billed),
            "invoices_paid_rupiah": str(paid),
            "collection_ratio": str(ratio),
            **{name: str(value) for name, value in rest.items()},
        }

    active = [u for u in usages if u.tenant.status == Tenant.Status.ACTIVE]
    unreachable = {u.tenant.slug: u.database_error for u in usages if u.database_error}
    complexes = {
        u.tenant.slug: figures(
            u.units,
            u.residents,
            u.billed,
            u.paid,
            users_daily_active=u.daily_active,
            users_monthly_active=u.monthly_active,
            mrr_rupiah=u.monthly_fee,
        )
        for u in active
        if not u.database_error
    }
    total = metrics(usages)
    statuses: dict[str, int] = {}
    for usage in usages:
        statuses[usage.tenant.status] = statuses.get(usage.tenant.status, 0) + 1
    return {
        "at": time.time(),
        "statuses": statuses,
        "complexes": complexes,
        # the active complexes whose database failed this check, with the error's kind
        "unreachable": unreachable,
        "total": figures(
            total.units,
            sum(u.residents for u in active),
            total.billed,
            total.paid,
            users_daily_active=sum(u.daily_active for u in active),
            users_monthly_active=sum(u.monthly_active for u in active),
            mrr_rupiah=total.mrr,
        ),
    }
