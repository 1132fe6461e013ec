"""Attachments of an announcement or a poll: at most five PDFs or photos of 5 MB each, added
and removed as part of the edit of what they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from klustera.accounts.models import User
from klustera.community.models import Announcement, Attachment, Poll
from klustera.tenancy.context import on_commit
from klustera.uploads import clean_attachment

MAX_ATTACHMENTS = 5


def change_attachments(
    owner: Announcement | Poll,
    *,
    actor: User,
    add: Sequence[Any] = (),
    remove: Sequence[int] = (),
) -> dict[str, list[str]]:
    """Inside the caller's transaction: drop the owner's attachments ``remove`` names and
    store the uploaded files ``add``, every file checked before anything changes. Returns
    the names attached and removed, for the audit."""
    if not add and not remove:
        return {}
    kept = Attachment.objects.filter(**{_owner_field(owner): owner})
    removed = list(kept.filter(pk__in=remove))
    if len(removed) != len(set(remove)):
        missing = ValidationError(_("That attachment is not here."), code="attachment_not_found")
        raise ValidationError({"remove_attachments": [missing]})
    if kept.count() - len(removed) + len(add) > MAX_ATTACHMENTS:
        too_many = ValidationError(
            _("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}, code="too_many_attachments"
        )
        raise ValidationError({"attachments": [too_many]})
    cleaned = []
    for upload in add:
        try:
            cleaned.append(clean_attachment(upload))
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.error_list}) from exc
    files = [attachment.file for attachment in removed]
    for attachment in removed:
        attachment.delete()

    def delete_files() -> None:  # once the rows are gone for good
        for stored in files:
            stored.delete(save=False)

    on_commit(delete_files)
    for content, content_type, name in cleaned:
        Attachment.objects.create(
            **{_owner_field(owner): owner},
            file=content,
            name=name,
            content_type=content_type,
            size=content.size,
            added_by=actor,
        )
    return {
        "attached": [name for _content, _type, name in cleaned],
        "removed": [attachment.name for attachment in removed],
    }


def _owner_field(owner: Announcement | Poll) -> str:
    return "announcement" if isinstance(owner, Announcement) else "poll"
