"""The facilities' clock on the queue: holds expired, reminders sent, past bookings closed."""

from __future__ import annotations

from huey import crontab

from klustera.facilities import services
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("default")
def keep_time() -> dict[str, int]:
    return {
        "expired": services.expire_holds(),
        "reminded": services.remind_bookings(),
        "closed": services.close_past(),
    }


@periodic_task("default", crontab(minute="*/5"))
def keep_time_everywhere() -> int:
    """Every 5 minutes, in each active complex: a lapsed hold frees its time within minutes."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            keep_time()
    return tenants.count()
