"""Use cases of announcements: drafts, scheduled and immediate publishing, edits that are
never sent again, withdrawal, pinning, read receipts and reminders to those who have not read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.community.models import Announcement
from klustera.community.selectors import audience_of, unread_by
from klustera.community.services.attachments import change_attachments
from klustera.errors import StateConflict
from klustera.estate.models import Unit
from klustera.notifications.models import Channel
from klustera.notifications.services import notify
from klustera.roles import STAFF_ROLES
from klustera.tasks import enqueue
from klustera.tenancy.context import current_tenant, tenant_atomic
from klustera.tenancy.links import tenant_url

BATCH = 200  # residents told per transaction
CONTENT = (
    "title",
    "body",
    "blocks",
    "unit_types",
    "tenure",
    "staff_roles",
    "category",
    "pinned",
    "expires_at",
    "send",
)


def post_announcement(
    *,
    actor: User,
    title: str,
    body: str,
    blocks: list[str] | None = None,
    unit_types: list[str] | None = None,
    tenure: str = Announcement.Tenure.ALL,
    staff_roles: list[str] | None = None,
    send: bool = True,
    category: str = Announcement.Category.INFO,
    pinned: bool = False,
    expires_at: datetime | None = None,
    publish_at: datetime | None = None,
    draft: bool = False,
    attachments: Sequence[Any] = (),
) -> Announcement:
    """Post a notice, with its ``attachments`` (uploaded PDFs or photos), to its audience
    (the whole complex, blocks, unit types, owners or renters, staff roles): now, at
    ``publish_at``, or as a draft.

    Once published, the residents read it in the portal and the app, and find it
    in their inbox; with ``send`` each is also told on the channels they chose
    for community news (WhatsApp only with their opt-in), after the quiet hours.
    """
    announcement = Announcement(posted_by=actor)
    _apply(
        announcement,
        title=title,
        body=body,
        blocks=blocks or [],
        unit_types=sorted(set(unit_types or [])),
        tenure=tenure,
        staff_roles=sorted(set(staff_roles or [])),
        send=send,
        category=category,
        pinned=pinned,
        expires_at=expires_at,
    )
    now = timezone.now()
    if publish_at is not None and publish_at > now and not draft:
        announcement.publish_at = publish_at
    with tenant_atomic():
        announcement.save()
        attached = change_attachments(announcement, actor=actor, add=attachments)
        record(
            actor=actor,
            action="announcement.drafted" if draft else "announcement.posted",
            target=announcement,
            title=announcement.title,
            blocks=announcement.blocks or "all",
            **attached,
            send=send,
            publish_at=announcement.publish_at.isoformat() if announcement.publish_at else "",
        )
        if not draft and announcement.publish_at is None:
            _publish(announcement, now)
    return announcement


def _apply(announcement: Announcement, **fields: object) -> None:
    """Set the content fields, checked together (a ValidationError names the fields)."""
    for name, value in fields.items():
        setattr(announcement, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if not announcement.title:
        errors["title"] = [_("Give the announcement a title.")]
    if not announcement.body:
        errors["body"] = [_("Write the announcement.")]
    asked = [block.strip() for block in announcement.blocks if block.strip()]
    spelt = Unit.objects.order_by().values_list("block", flat=True).distinct()
    known = {block.casefold(): block for block in spelt}
    unknown = [block for block in asked if block.casefold() not in known]
    if unknown:
        errors["blocks"] = [_("No unit is in block %(block)s.") % {"block": ", ".join(unknown)}]
    # As the units spell them, each once.
    announcement.blocks = sorted({known.get(block.casefold(), block) for block in asked})
    if announcement.category not in Announcement.Category.values:
        errors["category"] = [_("Choose a category.")]
    if not set(announcement.unit_types) <= set(Unit.Type.values):
        errors["unit_types"] = [_("Choose among the unit types.")]
    if announcement.tenure not in Announcement.Tenure.values:
        errors["tenure"] = [_("Choose everyone, owners or renters.")]
    if not set(announcement.staff_roles) <= STAFF_ROLES:
        errors["staff_roles"] = [_("Choose among the staff roles.")]
    if announcement.expires_at and announcement.expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry has passed.")]
    if errors:
        raise ValidationError(errors)


def _publish(announcement: Announcement, now: datetime) -> None:
    """Inside the caller's transaction: published now, and queued to be told once."""
    announcement.posted_at = now
    announcement.publish_at = None
    announcement.save(update_fields=["posted_at", "publish_at"])
    enqueue("klustera.community.tasks.send_announcement", announcement.pk)


def publish_announcement(*, actor: User, announcement: Announcement) -> Announcement:
    """Publish a draft (or a scheduled announcement) now."""
    with tenant_atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if announcement.posted_at or announcement.withdrawn_at:
            raise StateConflict(
                _("This announcement is already published or withdrawn."),
                code="announcement_not_draft",
            )
        _publish(announcement, timezone.now())
        record(actor=actor, action="announcement.published", target=announcement)
    return announcement


def publish_due(now: datetime | None = None) -> int:
    """The clock: publish each scheduled announcement whose time has come, once (a worker
    that was down publishes them when it returns)."""
    now = now or timezone.now()
    published = 0
    due = Announcement.objects.filter(
        publish_at__lte=now, posted_at__isnull=True, withdrawn_at__isnull=True
    )
    for pk in due.values_list("pk", flat=True):
        with tenant_atomic():
            claimed = Announcement.objects.filter(
                pk=pk, posted_at__isnull=True, withdrawn_at__isnull=True
            ).update(posted_at=now, updated_at=now)
            if claimed:
                enqueue("klustera.community.tasks.send_announcement", pk)
                published += 1
    return published


def edit_announcement(
    *,
    actor: User,
    announcement: Announcement,
    attachments: Sequence[Any] = (),
    remove_attachments: Sequence[int] = (),
    **changes: object,
) -> Announcement:
    """Change an announcement, add or remove its attachments; once published it shows
    "edited" and is never sent again."""
    with tenant_atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if announcement.withdrawn_at:
            raise StateConflict(
                _("A withdrawn announcement is not changed."), code="announcement_withdrawn"
            )
        publish_at = changes.pop("publish_at", None)
        _apply(announcement, **{name: changes[name] for name in CONTENT if name in changes})
        if announcement.posted_at:
            announcement.edited_at = timezone.now()
        elif isinstance(publish_at, datetime):
            announcement.publish_at = publish_at
        announcement.save()
        attached = change_attachments(
            announcement, actor=actor, add=attachments, remove=remove_attachments
        )
        record(
            actor=actor,
            action="announcement.edited",
            target=announcement,
            title=announcement.title,
            published=bool(announcement.posted_at),
            **attached,
        )
    return announcement


def withdraw_announcement(*, actor: User, announcement: Announcement) -> Announcement:
    """Hide an announcement from everyone but the managers; the audit keeps it."""
    with tenant_atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if announcement.withdrawn_at:
            raise StateConflict(
                _("This announcement is already withdrawn."), code="announcement_withdrawn"
            )
        announcement.withdrawn_at = timezone.now()
        announcement.save(update_fields=["withdrawn_at"])
        record(
            actor=actor,
            action="announcement.withdrawn",
            target=announcement,
            title=announcement.title,
        )
    return announcement


def send_announcement_now(*, announcement: Announcement) -> int:
    """Tell each resident once, in batches; returns how many. The claim makes a repeat of
    the job (a retry, a second worker) send nothing."""
    now = timezone.now()
    claimed = Announcement.objects.filter(
        pk=announcement.pk, sent_at__isnull=True, withdrawn_at__isnull=True
    ).update(sent_at=now, updated_at=now)
    if not claimed:
        return 0
    users = list(audience_of(announcement))
    _tell(users, announcement, "announcement")
    Announcement.objects.filter(pk=announcement.pk).update(
        recipients=len(users), updated_at=timezone.now()
    )
    return len(users)


def remind_unread(*, actor: User, announcement: Announcement) -> int:
    """Remind those told who have not read it yet, on their channels; returns how many."""
    if announcement.state(timezone.now()) != "published":
        raise StateConflict(
            _("Only a published announcement is reminded of."), code="announcement_not_published"
        )
    users = unread_by(announcement)
    _tell(users, announcement, "announcement")
    with tenant_atomic():
        record(actor=actor, action="announcement.reminded", target=announcement, told=len(users))
    return len(users)


def _tell(users: list[User], announcement: Announcement, template: str) -> None:
    tenant = current_tenant()
    context = {
        "complex": tenant.name if tenant else "",
        "title": announcement.title,
        "body": announcement.body,
        "link": tenant_url("announcements-page"),  # where a push opens
    }
    channels = None if announcement.send else [Channel.INBOX]  # the inbox alone
    for start in range(0, len(users), BATCH):
        with tenant_atomic():
            for user in users[start : start + BATCH]:
                notify(
                    recipient=user,
                    template=template,
                    context=context,
                    channels=channels,
                    about=f"announcement:{announcement.pk}",
                )
