"""Delivery jobs: thin wrappers over ``services.deliver`` on the channel's queue."""

from __future__ import annotations

from huey import crontab

from klustera.notifications import services
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("notifications")
def deliver_notification(message_id: int) -> str:
    return services.deliver(message_id=message_id)


@tenant_task("email")
def deliver_email(message_id: int) -> str:
    return services.deliver(message_id=message_id)


@tenant_task("sms")
def deliver_sms(message_id: int) -> str:
    return services.deliver(message_id=message_id)


@periodic_task("default", crontab(minute="*"))
def sweep_outboxes() -> int:
    """Every minute, in every active complex: retry what is due, recover stuck sends."""
    enqueued = 0
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE):
        with tenant_context(tenant):
            enqueued += services.sweep()
    return enqueued
