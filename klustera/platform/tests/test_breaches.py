"""Breach notice: the operator records a breach, the 72 hours start at its discovery, the
people affected are told in their language, the authority gets its PDF."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from klustera.accounts.models import User
from klustera.accounts.services import create_user
from klustera.notifications.models import Message
from klustera.privacy.models import Breach
from klustera.roles import Role
from klustera.tenancy.context import platform_context, tenant_context


def _operator() -> Client:
    with platform_context():
        User.objects.create_superuser("081999000009", "pw-platform-1", name="Operator")
    client = Client()
    client.post("/login", {"username": "081999000009", "password": "pw-platform-1"})
    return client


def _people(tenant, lang_of_resident: str = "id") -> None:
    with tenant_context(tenant):
        create_user(phone="081300000001", name="Budi", roles=[Role.PROPERTY_MANAGER])
        siti = create_user(phone="081300000002", name="Siti", roles=[Role.RESIDENT])
        siti.language = lang_of_resident
        siti.save(update_fields=["language"])
        create_user(phone="081300000003", name="Rudi", roles=[Role.RESIDENT])


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_breach_is_told_to_everyone_affected_in_their_language(tenant_a, tenant_b) -> None:
    _people(tenant_a, lang_of_resident="en")
    _people(tenant_b)
    operator = _operator()
    discovered = timezone.now() - timedelta(hours=2)
    recorded = operator.post(
        "/platform/breaches/",
        {
            "what": "A backup file was readable from the internet for a day.",
            "discovered_at": _local(discovered),
            "complexes": ["alpha", "beta"],
            "categories": ["identity", "contact"],
            "phones": "",
            "remedy": "The file was removed and the keys were changed.",
        },
    )
    assert recorded.status_code == 302, recorded.content.decode()[-2000:]
    breach = Breach.objects.get()
    assert breach.deadline - breach.discovered_at == timedelta(hours=72)
    page = operator.get(recorded["Location"]).content.decode()
    assert "lagi" in page and "status-overdue" not in page  # hours left on the clock

    operator.post(recorded["Location"], {"action": "notify"})
    breach.refresh_from_db()
    everyone = {}
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            everyone[tenant.slug] = User.objects.filter(is_active=True).count()
    assert breach.notices == everyone and everyone["alpha"] >= 3
    with tenant_context(tenant_a):
        notices = Message.objects.filter(template="breach_notice", channel="inbox")
        assert notices.count() == everyone["alpha"]
        assert notices.get(recipient__name="Siti").language == "en"
        assert notices.get(recipient__name="Rudi").language == "id"
    again = operator.post(recorded["Location"], {"action": "notify"}, follow=True)
    assert "sudah dikirim" in again.content.decode()  # once only
    with tenant_context(tenant_a):
        assert notices.count() == everyone["alpha"]

    pdf = operator.get(f"/platform/breaches/{breach.pk}/authority.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    operator.post(recorded["Location"], {"action": "authority"})
    breach.refresh_from_db()
    assert breach.done and not breach.late


def test_the_clock_shows_a_late_breach_and_named_people_only(tenant_a) -> None:
    _people(tenant_a)
    operator = _operator()
    late = Breach.objects.create(
        what="x",
        discovered_at=timezone.now() - timedelta(hours=73),
        complexes=["alpha"],
        phones=["+6281300000002"],
        categories=["contact"],
        remedy="x",
    )
    assert late.late
    assert "status-overdue" in operator.get(f"/platform/breaches/{late.pk}/").content.decode()
    operator.post(f"/platform/breaches/{late.pk}/", {"action": "notify"})
    with tenant_context(tenant_a):
        told = set(
            Message.objects.filter(template="breach_notice", channel="inbox").values_list(
                "recipient__name", flat=True
            )
        )
        managers = set(
            User.objects.filter(groups__name=Role.PROPERTY_MANAGER).values_list("name", flat=True)
        )
    assert told == {"Siti"} | managers and "Rudi" not in told  # the person named, the managers


def test_a_breach_needs_complexes_and_a_past_discovery(tenant_a) -> None:
    operator = _operator()
    refused = operator.post(
        "/platform/breaches/",
        {
            "what": "x",
            "discovered_at": _local(timezone.now() + timedelta(days=1)),
            "categories": ["contact"],
            "remedy": "x",
        },
    )
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    assert not Breach.objects.exists()
    assert Client().get("/platform/breaches/").status_code == 302
