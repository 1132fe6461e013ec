"""Payment work on the queues: callbacks, and reconciliation of attempts left pending."""

from __future__ import annotations

from huey import crontab

from klustera.payments import services
from klustera.payments.models import CallbackEvent
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("billing")
def process_callback(event_id: int) -> str:
    return services.process_callback(CallbackEvent.objects.get(pk=event_id))


@tenant_task("billing")
def reconcile() -> dict[str, int]:
    return services.reconcile_pending()


@periodic_task("default", crontab(minute="*/10"))
def reconcile_everywhere() -> int:
    """Every 10 minutes, each active complex asks Xendit about attempts still pending."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            reconcile()
    return tenants.count()


@tenant_task("billing")
def review_report() -> dict[str, int]:
    return services.daily_review_report()


@periodic_task("default", crontab(hour="0", minute="30"))  # 07:30 WIB
def daily_review_report() -> int:
    """Each morning, managers hear of mismatched payments and proofs waiting for them."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            review_report()
    return tenants.count()
