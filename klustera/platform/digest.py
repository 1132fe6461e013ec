"""The operators' digest: each morning, what changed across complexes — new complexes,
services ended, MRR and collection against the day before; on Mondays also the week's summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import structlog
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from klustera.formatting import percent
from klustera.observability.operators import tell_operators
from klustera.platform.models import DailyFigures
from klustera.platform.selectors import Metrics, metrics, usages_of
from klustera.tenancy.models import Tenant

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str


def record_day(day: date, figures: Metrics) -> DailyFigures:
    """Today's figures, kept for tomorrow's comparison (a second run the same day updates)."""
    record, _created = DailyFigures.objects.update_or_create(
        day=day,
        defaults={
            "active": figures.active,
            "units": figures.units,
            "mrr": figures.mrr,
            "billed": figures.billed,
            "paid": figures.paid,
        },
    )
    return record


def compose_digest(*, figures: Metrics, days: int, now: datetime) -> Digest:
    """The last ``days`` days (1: the daily digest, 7: the weekly summary) against the figures
    recorded that many days ago."""
    today = timezone.localdate(now)
    since = now - timedelta(days=days)
    before = DailyFigures.objects.filter(day=today - timedelta(days=days)).first()
    context = {
        "days": days,
        "today": today,
        "start": today - timedelta(days=days),
        "figures": figures,
        "before": before,
        "mrr_change": figures.mrr - before.mrr if before else None,
        "active_change": figures.active - before.active if before else None,
        "collection_before": percent(before.paid, before.billed) if before else None,
        "joined": Tenant.objects.filter(created_at__gte=since, created_at__lt=now).order_by("name"),
        "ended": Tenant.objects.filter(
            status=Tenant.Status.CANCELLED, cancelled_at__gte=since, cancelled_at__lt=now
        ).order_by("name"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("platform/digest.txt", context)
        subject = render_to_string("platform/digest_subject.txt", context).strip()
    return Digest(subject, text.strip() + "\n")


def send_operators_digest(now: datetime | None = None) -> list[Digest]:
    """The daily digest, and on Mondays the weekly summary, to the operators' channels."""
    now = timezone.now() if now is None else now
    figures = metrics(usages_of(Tenant.objects.exclude(status=Tenant.Status.CANCELLED)))
    digests = [compose_digest(figures=figures, days=1, now=now)]
    if timezone.localdate(now).isoweekday() == 1:
        digests.append(compose_digest(figures=figures, days=7, now=now))
    record_day(timezone.localdate(now), figures)
    for digest in digests:
        channels = tell_operators(digest.subject, digest.text)
        if not channels:  # the truth: nothing was sent
            logger.info("digest.not_sent", reason="no ALERT_SLACK_WEBHOOK_URL or ALERT_EMAILS")
        else:
            logger.info("digest.sent", channels=channels)
    return digests
