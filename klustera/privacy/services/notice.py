"""The complex's privacy notice: the platform's text and the complex's additions, versioned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError

from klustera.audit.services import record
from klustera.cached import forget, read_through
from klustera.privacy.models import PrivacyNotice
from klustera.tenancy.context import tenant_atomic

if TYPE_CHECKING:  # privacy sits below accounts: it names users, never imports them
    from klustera.accounts.models import User

# The revision of the platform's own text (templates/privacy/platform_notice.html). Changing
# that text means a new revision here: every complex then publishes a new version, and
# everyone is asked again.
PLATFORM_REVISION = "2026-12"

IN_FORCE_KEY = "privacy:notice-in-force"
IN_FORCE_SECONDS = 60  # bounds the one race a forget cannot see (``klustera.cached``)


def version_in_force() -> int | None:
    """The version of the notice in force, asked on every signed-in request: from the cache,
    forgotten whenever a version is made. None: there is none of the platform's current
    text yet (``current_notice`` makes it)."""
    return read_through(IN_FORCE_KEY, _load_version, seconds=IN_FORCE_SECONDS)


def _load_version() -> int | None:
    latest = PrivacyNotice.objects.values_list("version", "platform_revision").first()
    return latest[0] if latest is not None and latest[1] == PLATFORM_REVISION else None


def _new_version(**fields: object) -> PrivacyNotice:
    """Make a version (inside the caller's transaction); every process reads it next."""
    notice = PrivacyNotice.objects.create(platform_revision=PLATFORM_REVISION, **fields)
    forget(IN_FORCE_KEY)
    return notice


def current_notice() -> PrivacyNotice:
    """The version in force: the latest, or a new one when the platform's text has moved on."""
    latest = PrivacyNotice.objects.first()
    if latest is not None and latest.platform_revision == PLATFORM_REVISION:
        return latest
    try:
        with tenant_atomic():
            return _new_version(
                version=(latest.version + 1) if latest else 1,
                additions_id=latest.additions_id if latest else "",
                additions_en=latest.additions_en if latest else "",
            )
    except IntegrityError:  # another request made it meanwhile (the version is unique)
        return PrivacyNotice.objects.get(version=(latest.version + 1) if latest else 1)


def publish_notice(*, additions_id: str, additions_en: str, actor: User) -> PrivacyNotice:
    """A new version with the complex's own additions; everyone is asked to consent again."""
    with tenant_atomic():
        latest = current_notice()
        notice = _new_version(
            version=latest.version + 1,
            additions_id=additions_id.strip(),
            additions_en=additions_en.strip(),
            published_by=actor,
        )
        record(
            actor=actor, action="privacy.notice_published", target=notice, version=notice.version
        )
    return notice
