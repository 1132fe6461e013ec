"""Backups on schedule — every complex and the platform, each its own task, so one failure
does not stop the others — and the nightly restore drill."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from huey import crontab

from klustera.backups.services import (
    PLATFORM,
    back_up_complex,
    next_to_drill,
    run_drill,
)
from klustera.tasks import periodic_task, platform_task
from klustera.tenancy.models import Tenant

# 02:00 WIB every day, or at :17 every hour (BACKUP_EVERY)
SCHEDULE = (
    crontab(minute="17") if settings.BACKUP_EVERY == "hour" else crontab(hour="19", minute="0")
)


@periodic_task("default", SCHEDULE)
def back_up_everything() -> int:
    slugs = [
        PLATFORM,
        *Tenant.objects.exclude(status=Tenant.Status.CANCELLED).values_list("slug", flat=True),
    ]
    for slug in slugs:
        back_up(slug)
    return len(slugs)


@platform_task("documents", retries=3, retry_delay=300, retry_backoff=2)
def back_up(slug: str) -> str:
    """One complex's backup; a failure is retried 5, 10 and 20 minutes later."""
    return str(back_up_complex(slug)["id"])


@periodic_task("default", crontab(hour="21", minute="0"))
def restore_drill() -> bool | None:
    """04:00 WIB: the next complex's latest backup restored into a scratch database and checked."""
    if not settings.BACKUP_DRILL_IDENTITY_FILE:
        return None
    slug = next_to_drill()
    if slug is None:
        return None
    return run_drill(slug, Path(settings.BACKUP_DRILL_IDENTITY_FILE).read_text()).ok
