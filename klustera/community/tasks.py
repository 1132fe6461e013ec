"""The community's jobs: sending an announcement; the polls' clock, every minute."""

from __future__ import annotations

from huey import crontab

from klustera.community import services
from klustera.community.models import Announcement, Poll
from klustera.tasks import periodic_task, tenant_task
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


@tenant_task("notifications")
def send_announcement(announcement_id: int) -> int:
    announcement = Announcement.objects.get(pk=announcement_id)
    return services.send_announcement_now(announcement=announcement)


@tenant_task("notifications")
def announce_poll(poll_id: int) -> int:
    return services.announce_poll(poll=Poll.objects.get(pk=poll_id))


@tenant_task("default")
def keep_time() -> dict[str, int]:
    return {**services.keep_time(), "published": services.publish_due()}


@periodic_task("default", crontab(minute="*"))
def keep_time_everywhere() -> int:
    """Every minute, in each active complex: scheduled announcements are published, polls
    open with a notice, remind and close on time."""
    tenants = Tenant.objects.filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        with tenant_context(tenant):
            keep_time()
    return tenants.count()
