"""The platform's periodic work: the business figures /metrics shows, computed ahead."""

from __future__ import annotations

import structlog
from django.core.cache import cache
from django.db import DatabaseError
from huey import crontab

from klustera.observability.metrics import BUSINESS_FIGURES_KEY
from klustera.platform.selectors import business_figures, usage_of
from klustera.tasks import periodic_task
from klustera.tenancy.errors import TenantUnavailable
from klustera.tenancy.models import Tenant

logger = structlog.get_logger(__name__)


@periodic_task("default", crontab(minute="*/5"))
def refresh_business_figures() -> int:
    """Every 5 minutes: each complex's figures into the cache, so a scrape reads, never counts.

    It is also each database's health check: a complex whose database does not answer is
    reported as down, and the others are counted all the same."""
    usages, unreachable = [], {}
    for tenant in Tenant.objects.order_by("slug"):
        try:
            usages.append(usage_of(tenant))
        except (TenantUnavailable, DatabaseError) as exc:
            logger.warning("health.tenant_database_failed", complex=tenant.slug, error=str(exc))
            unreachable[tenant.slug] = type(exc).__name__
    cache.set(BUSINESS_FIGURES_KEY, business_figures(usages, unreachable), timeout=None)
    return len(usages)
