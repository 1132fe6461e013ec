"""The platform's writes of its own records."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from klustera.platform.models import ComplexUsage
from klustera.platform.selectors import COUNTED, Usage


def record_usages(usages: list[Usage]) -> None:
    """Keep each complex's counted figures for the console (one row a complex)."""
    now = timezone.now()
    with transaction.atomic():
        for usage in usages:
            ComplexUsage.objects.update_or_create(
                tenant=usage.tenant,
                defaults={
                    **{name: getattr(usage, name) for name in COUNTED},
                    "updated_at": now,
                },
            )
