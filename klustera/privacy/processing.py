"""The record of processing activities (UU PDP art. 31), generated from the declaration: what
is processed, why, on which basis, for how long and by which processors."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from klustera.pdf import html_to_pdf
from klustera.privacy.declaration import Category, Personal, Processor, Retention, declared
from klustera.privacy.models import PrivacySettings
from klustera.tenancy.context import current_tenant


@dataclass(frozen=True)
class Activity:
    record: str  # the kind of record, as people call it
    fields: list[str]
    categories: list[str]
    purpose: str
    basis: str
    kept: str
    processors: list[str]


def activities(settings: PrivacySettings) -> list[Activity]:
    return [_activity(declaration, settings) for declaration in declared()]


def _activity(declaration: Personal, settings: PrivacySettings) -> Activity:
    meta = declaration.model_class._meta
    periods: dict[str, str] = {
        Retention.ACCOUNT: _("while the account exists; anonymised on request"),
        Retention.OPERATIONAL: _("%(days)d days") % {"days": settings.operational_days},
        Retention.FINANCIAL: _("%(years)d years") % {"years": settings.financial_years},
    }
    kept = periods[declaration.retention]
    basis = (
        _("legal obligation (tax records, UU KUP)")
        if declaration.retention == Retention.FINANCIAL
        else _("contract: running the estate for its residents")
    )
    return Activity(
        record=str(meta.verbose_name_plural).capitalize(),
        fields=[
            str(getattr(meta.get_field(name), "verbose_name", name)) for name in declaration.fields
        ],
        categories=[str(Category(c).label) for c in declaration.categories],
        purpose=str(declaration.purpose),
        basis=basis,
        kept=kept,
        processors=[str(Processor(p).label) for p in declaration.processors]
        or [str(Processor.HOSTING.label)],
    )


def processing_pdf(settings: PrivacySettings) -> bytes:
    """The record as a document for the authority, in Indonesian (the language of record)."""
    with override("id"):
        html = render_to_string(
            "privacy/processing_pdf.html",
            {
                "tenant": current_tenant(),
                "activities": activities(settings),
                "printed_at": timezone.now(),
            },
        )
    return html_to_pdf(html)
