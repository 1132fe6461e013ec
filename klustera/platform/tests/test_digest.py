"""The operators' digest: new complexes, services ended, MRR and collection against the day
before, and on Mondays the week's summary — by email and Slack, or the truth that it was not
sent."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from klustera.observability.tests.test_errors import Collector
from klustera.platform.digest import send_operators_digest
from klustera.platform.models import DailyFigures
from klustera.platform.selectors import metrics, usages_of
from klustera.platform.tasks import operators_digest
from klustera.tenancy.models import Tenant

WIB = ZoneInfo("Asia/Jakarta")


def test_the_daily_digest_tells_what_changed_since_yesterday(tenant_a, tenant_b, settings) -> None:
    settings.ALERT_EMAILS = ["ops@klustera.test"]
    settings.ALERT_SLACK_WEBHOOK_URL = ""
    now = datetime(2026, 12, 3, 7, 30, tzinfo=WIB)  # a Thursday
    Tenant.objects.create(name="Taman Baru", slug="taman-baru", status="provisioning")
    Tenant.objects.create(
        name="Griya Lama",
        slug="griya-lama",
        status="cancelled",
        cancelled_at=now - timedelta(hours=3),
    )
    Tenant.objects.create(
        name="Sudah Lama",
        slug="sudah-lama",
        status="cancelled",
        cancelled_at=now - timedelta(days=9),
    )
    Tenant.objects.filter(slug="taman-baru").update(created_at=now - timedelta(hours=5))
    Tenant.objects.filter(slug__in=["griya-lama", "sudah-lama"]).update(
        created_at=now - timedelta(days=400)
    )
    served = [t for t in Tenant.objects.exclude(status="cancelled")]
    today = metrics(usages_of(served))
    DailyFigures.objects.create(
        day=now.date() - timedelta(days=1),
        active=today.active - 1,
        units=today.units,
        mrr=today.mrr - Decimal(25_000),
        billed=Decimal(1_000_000),
        paid=Decimal(500_000),
    )

    [daily] = send_operators_digest(now=now)

    assert daily.subject == "[Klustera] Ringkasan harian, 3 Des 2026"
    assert f"Kompleks dilayani: {today.active}" in daily.text and "(+1)" in daily.text
    assert "(+Rp 25.000)" in daily.text  # MRR against yesterday's
    assert "(sebelumnya 50%)" in daily.text  # collection yesterday
    assert "Taman Baru (taman-baru" in daily.text  # joined in the last 24 hours
    assert "Griya Lama (griya-lama)" in daily.text and "Sudah Lama" not in daily.text
    [email] = mail.outbox
    assert (email.to, email.subject, email.body) == (
        ["ops@klustera.test"],
        daily.subject,
        daily.text,
    )
    recorded = DailyFigures.objects.get(day=now.date())  # tomorrow compares with this
    assert (recorded.active, recorded.mrr) == (today.active, today.mrr)


def test_mondays_bring_the_weekly_summary_too(tenant_a, settings) -> None:
    with Collector() as slack:
        settings.ALERT_SLACK_WEBHOOK_URL = f"{slack.url}/hook"
        settings.ALERT_EMAILS = []
        monday = datetime(2026, 12, 7, 7, 30, tzinfo=WIB)
        daily, weekly = send_operators_digest(now=monday)
        assert weekly.subject == "[Klustera] Ringkasan mingguan, 30 Nov – 7 Des 2026"
        assert "Minggu ini" in weekly.text
        assert "tidak ada angka sebelumnya untuk dibandingkan" in weekly.text  # a first week
        posted = [json.loads(body)["text"] for body in slack.bodies]
        assert posted == [f"*{daily.subject}*\n{daily.text}", f"*{weekly.subject}*\n{weekly.text}"]
    assert mail.outbox == []


def test_with_no_channel_the_digest_is_recorded_and_not_claimed_sent(tenant_a, settings) -> None:
    settings.ALERT_SLACK_WEBHOOK_URL = ""
    settings.ALERT_EMAILS = []
    monday = timezone.localdate().isoweekday() == 1
    assert operators_digest.call_local() == (2 if monday else 1)  # what the scheduler runs
    assert mail.outbox == []
    assert DailyFigures.objects.filter(day=timezone.localdate()).count() == 1  # one a day
