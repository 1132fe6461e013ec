"""Breach notice (UU PDP art. 46): the operator records a breach; the people affected and the
complexes' managers are told in their own language, and the authority gets its text, within
3 × 24 hours of the discovery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.notifications.models import Channel, Message
from klustera.notifications.services import notify
from klustera.pdf import html_to_pdf
from klustera.phones import normalize_phone
from klustera.privacy.declaration import Category
from klustera.privacy.models import Breach
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from klustera.tenancy.links import tenant_url
from klustera.tenancy.models import Tenant


def record_breach(
    *,
    what: str,
    discovered_at: datetime,
    complexes: list[str],
    categories: list[str],
    remedy: str,
    recorded_by: Any,
    happened_at: datetime | None = None,
    phones: list[str] | None = None,
) -> Breach:
    """Record a breach; its 72 hours run from ``discovered_at``."""
    problems: dict[str, list[ValidationError]] = {}
    known = set(Tenant.objects.filter(slug__in=complexes).values_list("slug", flat=True))
    if not complexes or known != set(complexes):
        problems["complexes"] = [
            ValidationError(_("Name the complexes affected."), code="unknown_complex")
        ]
    if not categories or not set(categories) <= set(Category.values):
        problems["categories"] = [
            ValidationError(_("Name the kinds of data affected."), code="invalid")
        ]
    if discovered_at > timezone.now():
        problems["discovered_at"] = [
            ValidationError(_("A discovery cannot be in the future."), code="invalid")
        ]
    normalized = []
    for phone in phones or []:
        try:
            normalized.append(normalize_phone(phone))
        except ValidationError:
            problems.setdefault("phones", []).append(
                ValidationError(_("%(phone)s is not a phone number.") % {"phone": phone})
            )
    if problems:
        raise ValidationError(problems)
    return Breach.objects.create(
        what=what.strip(),
        happened_at=happened_at,
        discovered_at=discovered_at,
        complexes=sorted(complexes),
        phones=normalized,
        categories=categories,
        remedy=remedy.strip(),
        recorded_by=str(getattr(recorded_by, "name", recorded_by))[:150],
    )


def notify_breach(*, breach: Breach) -> Breach:
    """Queue the notice to every person affected (and every manager) of each complex, in
    their language; said once (the breach's row is locked in the platform's database)."""
    with transaction.atomic():
        locked = Breach.objects.select_for_update().get(pk=breach.pk)
        if locked.notified_at is not None:
            raise StateConflict(_("The notices were already sent."), code="breach_already_notified")
        counts = {}
        for tenant in Tenant.objects.filter(slug__in=locked.complexes):
            with tenant_context(tenant):
                counts[tenant.slug] = _notify_complex(locked, tenant)
        locked.notices, locked.notified_at = counts, timezone.now()
        locked.save(update_fields=["notices", "notified_at", "updated_at"])
    return locked


def _notify_complex(breach: Breach, tenant: Tenant) -> int:
    people = get_user_model()._default_manager.filter(is_active=True)
    if breach.phones:
        managers = people.filter(groups__name=Role.PROPERTY_MANAGER)
        people = people.filter(phone__in=breach.phones) | managers
    told = 0
    for person in people.distinct().order_by("pk"):
        with override(person.language):
            categories = ", ".join(str(Category(c).label) for c in breach.categories)
        notify(
            recipient=person,
            template="breach_notice",
            context={
                "complex": tenant.name,
                "what": breach.what,
                "categories": categories,
                "remedy": breach.remedy,
                "link": tenant_url("privacy-page"),
            },
            about=f"breach:{breach.pk}",
        )
        told += 1
    record(actor=None, action="privacy.breach_notified", breach=breach.pk, people=told)
    return told


def mark_authority_notified(*, breach: Breach) -> Breach:
    Breach.objects.filter(pk=breach.pk, authority_notified_at__isnull=True).update(
        authority_notified_at=timezone.now(), updated_at=timezone.now()
    )
    return Breach.objects.get(pk=breach.pk)


def delivery_of(breach: Breach) -> dict[str, dict[str, int]]:
    """Per complex, how the notices fared: queued, sent, delivered, read, failed, not sent."""
    outcome: dict[str, dict[str, int]] = {}
    for tenant in Tenant.objects.filter(slug__in=breach.complexes):
        with tenant_context(tenant):
            rows = (
                Message.objects.filter(about=f"breach:{breach.pk}")
                .exclude(channel=Channel.INBOX)
                .values("status")
                .annotate(n=Count("pk"))
            )
            outcome[tenant.slug] = {row["status"]: row["n"] for row in rows}
    return outcome


def authority_pdf(breach: Breach) -> bytes:
    """The notice to the PDP agency, in Indonesian."""
    tenants = [
        (tenant, breach.notices.get(tenant.slug))
        for tenant in Tenant.objects.filter(slug__in=breach.complexes).order_by("name")
    ]
    with override("id"):
        html = render_to_string(
            "privacy/breach_authority.html",
            {
                "breach": breach,
                "tenants": tenants,
                "categories": [str(Category(c).label) for c in breach.categories],
                "printed_at": timezone.now(),
            },
        )
    return html_to_pdf(html)
