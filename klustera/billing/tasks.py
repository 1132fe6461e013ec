"""Daily billing jobs, fanned out over every active complex."""

from __future__ import annotations

from huey import crontab

from klustera.billing import services
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("billing")
def charge_late_fees() -> dict[str, int]:
    return services.charge_late_fees()


@periodic_task("default", crontab(hour="18", minute="5"))  # 01:05 WIB, in UTC
def daily_late_fees() -> int:
    """Enqueue each active complex's overdue marking and late fees on the billing queue."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            charge_late_fees()
    return tenants.count()
