"""The platform's periodic work: the business figures /metrics shows, computed ahead, and the
operators' digest."""

from __future__ import annotations

from django.core.cache import cache
from huey import crontab

from klustera.backups.services import backup_figures
from klustera.observability.metrics import BUSINESS_FIGURES_KEY
from klustera.platform.digest import send_operators_digest
from klustera.platform.selectors import business_figures, usages_of
from klustera.tasks import periodic_task
from klustera.tenancy.models import Tenant


@periodic_task("default", crontab(minute="*/5"))
def refresh_business_figures() -> int:
    """Every 5 minutes: each complex's figures into the cache, so a scrape reads, never counts.

    It is also each database's health check (:func:`usages_of`)."""
    usages = usages_of(Tenant.objects.order_by("slug"))
    served = [u.tenant.slug for u in usages if u.tenant.status != Tenant.Status.CANCELLED]
    figures = {**business_figures(usages), **backup_figures(served)}
    cache.set(BUSINESS_FIGURES_KEY, figures, timeout=None)
    return len(usages)


@periodic_task("default", crontab(hour="0", minute="30"))
def operators_digest() -> int:
    """Every morning at 07:30 WIB (00:30 UTC): the operators' digest; Mondays, the week's too."""
    return len(send_operators_digest())
