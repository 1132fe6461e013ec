"""The platform's periodic work: the business figures /metrics shows, computed ahead, and the
operators' digest."""

from __future__ import annotations

from django.core.cache import cache
from huey import crontab

from klustera.backups.services import backup_figures
from klustera.observability.metrics import BUSINESS_FIGURES_KEY
from klustera.platform.digest import send_operators_digest
from klustera.platform.selectors import business_figures, usages_of
from klustera.platform.services import record_usages
from klustera.tasks import periodic_task
from klustera.tenancy.models import Tenant


@periodic_task("default", crontab(minute="*/5"))
def refresh_business_figures() -> int:
    """Every 5 minutes: each complex's figures into the cache and the usage table, so neither a
    scrape nor the console counts.

    It is also each database's health check (:func:`usages_of`)."""
    usages = usages_of(Tenant.objects.order_by("slug"))
    record_usages(usages)  # what the console shows
    served = [u.tenant.slug for u in usages if u.tenant.status != Tenant.Status.CANCELLED]
    figures = {**business_figures(usages), **backup_figures(served)}
    cache.set(BUSINESS_FIGURES_KEY, figures, timeout=None)
    return len(usages)


@periodic_task("default", crontab(hour="0", minute="30"))
def operators_digest() -> int:
    """Every morning at 07:30 WIB (00:30 UTC): the operators' digest; Mondays, the week's too."""
    return len(send_operators_digest())
