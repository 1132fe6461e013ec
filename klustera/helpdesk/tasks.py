"""The helpdesk's clock on the queue: deadlines watched, resolved tickets closed."""

from __future__ import annotations

from huey import crontab

from klustera.helpdesk import services
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("default")
def watch() -> dict[str, int]:
    return {**services.watch_deadlines(), "closed": services.close_resolved()}


@periodic_task("default", crontab(minute="*/10"))
def watch_everywhere() -> int:
    """Every 10 minutes, each active complex's helpdesk deadlines are watched."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            watch()
    return tenants.count()
