"""Privacy's jobs: a person's copy of their data; copies expiring after 7 days."""

from __future__ import annotations

import logging

from huey import crontab

from klustera.privacy import services
from klustera.privacy.models import DataRequest
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant

logger = logging.getLogger(__name__)


@tenant_task("documents", retries=2, retry_delay=60)
def build_export(request_id: int) -> int:
    request = services.make_export(request=DataRequest.objects.get(pk=request_id))
    return request.pk


@periodic_task("default", crontab(minute="23", hour="*"))
def expire_exports_everywhere() -> int:
    """Every hour, in each complex: copies older than 7 days are deleted."""
    removed = 0
    for tenant in Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]):
        with tenant_context(tenant):
            removed += services.expire_exports()
    return removed


@tenant_task("default")
def apply_retention() -> int:
    return services.apply_retention().total


@periodic_task("default", crontab(minute="37", hour="20"))
def apply_retention_everywhere() -> int:
    """Nightly (03:37 in Jakarta), in each complex: what its periods no longer allow is cleared
    or deleted; each complex on its own, so one failing stops none of the others."""
    done = 0
    for tenant in Tenant.objects.filter(status__in=[Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]):
        try:
            with tenant_context(tenant):
                services.apply_retention()
        except Exception:
            logger.exception("privacy.retention_failed complex=%s", tenant.slug)
        else:
            done += 1
    return done
