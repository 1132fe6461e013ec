"""The audit's job: every night, each complex's chain is recomputed; a break is logged as
an error for the operator (``audit.chain_broken``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab

from klustera.audit.models import SecurityEvent
from klustera.audit.services import verify_trail
from klustera.tasks import periodic_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@periodic_task("default", crontab(hour="19", minute="17"))  # 02:17 in WIB
def verify_every_trail() -> dict[str, str]:
    """Each active complex: ``intact`` or where its chain breaks."""
    outcome = {}
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE):
        with tenant_context(tenant):
            verdict = verify_trail()
        outcome[tenant.slug] = (
            "intact" if verdict.broken is None else f"broken at {verdict.broken.seq}"
        )
    return outcome


SECURITY_EVENTS_KEPT = timedelta(days=365)


@periodic_task("default", crontab(hour="19", minute="47"))
def prune_security_events() -> int:
    """Security events older than a year go (they hold addresses: operational data)."""
    cutoff = timezone.now() - SECURITY_EVENTS_KEPT
    return SecurityEvent.objects.filter(created_at__lt=cutoff).delete()[0]
