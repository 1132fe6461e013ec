"""Use cases of the community: posting announcements and sending them to the residents."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.community.models import Announcement
from klustera.estate.models import Unit
from klustera.estate.selectors import users_living_in
from klustera.notifications.services import notify
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

BATCH = 200  # residents told per transaction


def post_announcement(
    *, actor: User, title: str, body: str, block: str = "", send: bool = True
) -> Announcement:
    """Post a notice to the whole complex or one block; with ``send``, tell them on the queue.

    The residents read it in the portal and the app; with ``send`` each is
    also told on the channels they chose for community news (WhatsApp only
    with their opt-in), after the complex's quiet hours.
    """
    title, body, block = title.strip(), body.strip(), block.strip()
    errors = {}
    if not title:
        errors["title"] = [_("Give the announcement a title.")]
    if not body:
        errors["body"] = [_("Write the announcement.")]
    if block:
        known = Unit.objects.filter(block__iexact=block).values_list("block", flat=True).first()
        if known is None:
            errors["block"] = [_("No unit is in block %(block)s.") % {"block": block}]
        block = known or block
    if errors:
        raise ValidationError(errors)
    with tenant_atomic():
        announcement = Announcement.objects.create(
            title=title,
            body=body,
            block=block,
            posted_by=actor,
            posted_at=timezone.now(),
            send=send,
        )
        record(
            actor=actor,
            action="announcement.posted",
            target=announcement,
            title=title,
            block=block or "all",
            send=send,
        )
        if send:
            enqueue("klustera.community.tasks.send_announcement", announcement.pk)
    return announcement


def send_announcement_now(*, announcement: Announcement) -> int:
    """Queue the announcement for each resident told, in batches; returns how many."""
    tenant = current_tenant()
    context = {
        "complex": tenant.name if tenant else "",
        "title": announcement.title,
        "body": announcement.body,
        "link": tenant_url("announcements-page"),  # where a push opens
    }
    users = list(users_living_in(block=announcement.block))
    for start in range(0, len(users), BATCH):
        with tenant_atomic():
            for user in users[start : start + BATCH]:
                notify(recipient=user, template="announcement", context=context)
    Announcement.objects.filter(pk=announcement.pk).update(recipients=len(users))
    return len(users)
