"""Staff operations' clock on the queue: today's and tomorrow's tasks and patrol rounds
made every hour; the rounds whose time is up judged every five minutes; last month's
incidents summed up on the 1st."""

from __future__ import annotations

from collections.abc import Callable
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
    days = [today + timedelta(days=n) for n in (0, 1)]
    made = sum(services.generate_tasks(day=day) for day in days)
    return made + sum(services.make_rounds(day=day) for day in days)


@tenant_task("default")
def check_rounds() -> int:
    return services.check_rounds()


def _everywhere(task: Callable[[], object]) -> int:
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            task()
    return tenants.count()


@tenant_task("default")
def sum_up_incidents() -> bool:
    """Last month's incidents, to the managers (once: a second run finds it sent)."""
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return services.send_incident_summary(month=last_month)


@periodic_task("default", crontab(minute="7"))
def make_tasks_everywhere() -> int:
    return _everywhere(make_tasks)


@periodic_task("default", crontab(minute="*/5"))
def check_rounds_everywhere() -> int:
    return _everywhere(check_rounds)


@periodic_task("default", crontab(day="1", hour="7", minute="15"))
def sum_up_incidents_everywhere() -> int:
    return _everywhere(sum_up_incidents)
