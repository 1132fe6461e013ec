"""The audit's job: every night, each complex's chain is recomputed; a break is logged as
an error for the operator (``audit.chain_broken``)."""

from __future__ import annotations

from huey import crontab

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
