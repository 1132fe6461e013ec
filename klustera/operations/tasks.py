"""Staff operations' clock on the queue: today's and tomorrow's tasks made every hour."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab

from klustera.operations import services
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("default")
def make_tasks() -> int:
    """Today's and tomorrow's (a template changed during the day is caught within the hour)."""
    today = timezone.localdate()
    return sum(services.generate_tasks(day=today + timedelta(days=n)) for n in (0, 1))


@periodic_task("default", crontab(minute="7"))
def make_tasks_everywhere() -> int:
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            make_tasks()
    return tenants.count()
