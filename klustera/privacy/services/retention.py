"""Retention: each class of declared data kept as long as the complex's periods say, then
cleared (photos and files deleted) or deleted. Run nightly; a dry run says what would go."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from klustera.audit.services import record
from klustera.privacy.declaration import Erase, Personal, Retention, declared_in_complex
from klustera.privacy.models import PrivacySettings, RetentionRun
from klustera.privacy.services.anonymise import blank_value, cleared, delete_files
from klustera.tenancy.context import tenant_atomic

if TYPE_CHECKING:
    from klustera.accounts.models import User

BATCH = 500


def privacy_settings() -> PrivacySettings:
    settings, _ = PrivacySettings.objects.get_or_create(pk=1)
    return settings


def update_retention(
    *, operational_days: int, financial_years: int, actor: User
) -> PrivacySettings:
    """Change the periods; the model's bounds (and the database's) hold them lawful."""
    settings = privacy_settings()
    settings.operational_days, settings.financial_years = operational_days, financial_years
    settings.full_clean()
    with tenant_atomic():
        settings.save()
        record(
            actor=actor,
            action="privacy.retention_changed",
            target=settings,
            operational_days=operational_days,
            financial_years=financial_years,
        )
    return settings


def periods(settings: PrivacySettings) -> dict[str, timedelta]:
    return {
        Retention.OPERATIONAL: timedelta(days=settings.operational_days),
        Retention.FINANCIAL: timedelta(days=round(365.25 * settings.financial_years)),
    }


def due_rows(declaration: Personal, cutoff: datetime) -> QuerySet[Any]:
    """The rows older than ``cutoff`` that still hold something retention removes."""
    model = declaration.model_class
    rows = model._default_manager.filter(**{f"{declaration.dated_by}__lt": cutoff})
    if declaration.erase == Erase.DELETE:
        return rows
    holding = Q()
    for name in declaration.fields:
        blank = blank_value(model._meta.get_field(name), None)
        holding |= Q(**{f"{name}__isnull": False}) if blank is None else ~Q(**{name: blank})
    if declaration.detach:
        holding |= Q(**{f"{declaration.owner.split('__')[0]}__isnull": False})
    return rows.filter(holding)


def retention_due(*, now: datetime | None = None) -> dict[str, int]:
    """The dry run: how many rows of each kind the next run removes."""
    now = now or timezone.now()
    cutoffs = periods(privacy_settings())
    return {
        declaration.model: count
        for declaration in declared_in_complex()
        if declaration.retention in cutoffs
        and (count := due_rows(declaration, now - cutoffs[declaration.retention]).count())
    }


def apply_retention(*, actor: User | None = None, now: datetime | None = None) -> RetentionRun:
    """Clear or delete what is due, in batches each of its own transaction: a run that stops
    halfway leaves whole batches done, and the next run takes up the rest."""
    now = now or timezone.now()
    cutoffs = periods(privacy_settings())
    run = RetentionRun.objects.create(actor=actor)
    removed: dict[str, int] = {}
    for declaration in declared_in_complex():
        if declaration.retention not in cutoffs:
            continue
        cutoff = now - cutoffs[declaration.retention]
        while pks := list(due_rows(declaration, cutoff).values_list("pk", flat=True)[:BATCH]):
            with tenant_atomic():
                batch = declaration.model_class._default_manager.filter(pk__in=pks)
                delete_files(declaration, batch)
                if declaration.erase == Erase.DELETE:
                    batch.delete()
                else:
                    batch.update(**cleared(declaration, None))
            removed[declaration.model] = removed.get(declaration.model, 0) + len(pks)
    with tenant_atomic():
        run.removed, run.finished_at = removed, timezone.now()
        run.save(update_fields=["removed", "finished_at"])
        record(actor=actor, action="privacy.retention_applied", target=run, removed=removed)
    return run
