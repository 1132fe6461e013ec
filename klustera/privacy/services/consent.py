"""Consent, proven: every grant and withdrawal recorded with the notice's version, the time,
the method, the address and the browser (UU PDP art. 20–24)."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from klustera.privacy.models import OPT_INS, ConsentRecord, Purpose
from klustera.privacy.origin import current_origin
from klustera.privacy.services.notice import current_notice, version_in_force
from klustera.redis_cache import CACHE_DOWN
from klustera.tenancy.context import tenant_atomic

if TYPE_CHECKING:
    from klustera.accounts.models import User


def record_consent(*, user: User, purpose: str, granted: bool, method: str) -> ConsentRecord:
    """Append one grant or withdrawal of ``purpose`` under the notice in force."""
    origin = current_origin()
    return ConsentRecord.objects.create(
        user=user,
        purpose=purpose,
        granted=granted,
        notice_version=current_notice().version,
        method=method,
        ip=origin.ip,
        user_agent=origin.user_agent,
    )


def accept_notice(
    *, user: User, opt_ins: dict[str, bool], method: str, version: int | None = None
) -> list[ConsentRecord]:
    """The person accepted the notice in force (``version``: the one they read) and chose each
    opt-in, every choice its own record: one purpose never rides on another's consent."""
    with tenant_atomic():
        notice = current_notice()
        if version is not None and version != notice.version:
            raise ValidationError(
                {
                    "version": [
                        ValidationError(
                            _("A newer privacy notice was published; please read it again."),
                            code="notice_outdated",
                        )
                    ]
                }
            )
        records = [record_consent(user=user, purpose=Purpose.NOTICE, granted=True, method=method)]
        for purpose in OPT_INS:
            if purpose in opt_ins:
                records.append(
                    record_consent(
                        user=user, purpose=purpose, granted=bool(opt_ins[purpose]), method=method
                    )
                )
    return records


def set_opt_in(*, user: User, purpose: str, granted: bool, method: str) -> ConsentRecord:
    """Give or withdraw one opt-in (community messages, marketing); withdrawing is as easy."""
    if purpose not in OPT_INS:
        raise ValidationError(
            {"purpose": [ValidationError(_("Not a purpose one opts in to."), code="not_an_opt_in")]}
        )
    with tenant_atomic():
        return record_consent(user=user, purpose=purpose, granted=granted, method=method)


def latest_choices(user: User) -> dict[str, ConsentRecord]:
    """The person's standing choice per purpose: the latest record of each."""
    latest = ConsentRecord.objects.filter(user=user, purpose=OuterRef("purpose")).order_by(
        "-created_at", "-pk"
    )
    rows = ConsentRecord.objects.filter(user=user, pk=Subquery(latest.values("pk")[:1])).order_by(
        "purpose"
    )
    return {row.purpose: row for row in rows}


ACCEPTED_SECONDS = 24 * 3600  # an acceptance never lapses; a new version has its own key


def needs_consent(user: User) -> bool:
    """Whether the person has yet to accept the notice in force (new, or a new version).

    Asked on every signed-in page and ``/auth/me``: the version in force and the person's
    acceptance of it are kept in the cache once known (two Redis reads, no query)."""
    version = version_in_force()
    if version is None:  # the platform's text moved on: a new version, made now
        version = current_notice().version
    key = f"privacy:accepted:{user.pk}:{version}"
    try:
        if cache.get(key):
            return False
    except CACHE_DOWN:
        pass
    accepted = ConsentRecord.objects.filter(
        user=user, purpose=Purpose.NOTICE, granted=True, notice_version=version
    ).exists()
    if accepted:
        with suppress(*CACHE_DOWN):
            cache.set(key, True, timeout=ACCEPTED_SECONDS)
    return not accepted


def objects_to(user_id: int, purpose: str) -> bool:
    """Whether the person's latest word on ``purpose`` is a withdrawal."""
    latest = (
        ConsentRecord.objects.filter(user_id=user_id, purpose=purpose)
        .order_by("-created_at", "-pk")
        .values_list("granted", flat=True)
        .first()
    )
    return latest is False
