from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from conftest import scratch_default_cluster
from klustera.accounts.models import User
from klustera.estate.models import Occupancy, Unit
from klustera.facilities.models import Booking, Facility
from klustera.helpdesk.models import Ticket
from klustera.helpdesk.reports import helpdesk_report
from klustera.notifications.models import Consent
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


def test_demo_complex_is_created_once_with_its_documented_logins(
    settings, tmp_path: Path, tenant_a
) -> None:
    scratch_default_cluster(settings, tmp_path)
    out = StringIO()
    call_command("demo", stdout=out)
    assert "graha-indah created" in out.getvalue()
    for phone in ("081100000001", "081100000002", "081100000003"):
        assert phone in out.getvalue()

    demo = Tenant.objects.get(slug="graha-indah")
    with tenant_context(demo):
        assert Unit.objects.count() == 40
        assert Occupancy.objects.filter(is_billing_contact=True).count() == 40
        roles = {u.phone: sorted(g.name for g in u.groups.all()) for u in User.objects.all()}
        assert roles["+6281100000001"] == ["property_manager"]
        assert roles["+6281100000002"] == ["resident"]
        assert roles["+6281100000003"] == ["security_staff"]
        assert User.objects.get(phone="+6281100000002").check_password("klustera-demo")
        # The demo logins have opted in to WhatsApp, so demo messages reach them (in the log).
        assert Consent.objects.filter(channel="whatsapp", revoked_at=None).count() == 7
        # A dozen complaints in every state of a ticket's life, over ten weeks, some rated:
        # the helpdesk report has figures to show.
        assert set(Ticket.objects.values_list("status", flat=True)) == set(Ticket.Status.values)
        assert Ticket.objects.count() == 14
        report = helpdesk_report()
        assert report.total.median_resolution and report.total.satisfaction
        assert sum(week["filed"] > 0 for week in report.weeks) >= 5
        # Three facilities with the coming two weeks booked; the clubhouse's two paid, one
        # approved and one waiting for the manager; the demo resident plays tennis.
        assert Facility.objects.count() == 3
        statuses = Booking.objects.filter(facility__name="Clubhouse").values_list(
            "status", flat=True
        )
        assert sorted(statuses) == ["confirmed", "pending_approval"]
        assert Booking.objects.filter(booked_by__phone="+6281100000002").count() == 1
        assert Booking.objects.filter(status="confirmed").count() > 100

    again = StringIO()
    call_command("demo", stdout=again)
    assert "already present" in again.getvalue()
    assert Tenant.objects.filter(slug="graha-indah").count() == 1
    page = Client().get("/c/graha-indah/")
    assert "Graha Indah Residence" in page.content.decode()
    # The guard's page has something to show: checks, a walk-in waiting, a parcel.
    guard = Client()
    guard.post("/c/graha-indah/login", {"username": "081100000003", "password": "klustera-demo"})
    activity = guard.get("/c/graha-indah/gate/activity").content.decode()
    assert "Teknisi Internet" in activity and "Ibu Rahmawati" in activity
    # The platform's demo super admin opens the platform console.
    operator = Client()
    operator.post("/login", {"username": "081100000000", "password": "klustera-demo"})
    assert "graha-indah" in operator.get("/platform/").content.decode()


def test_the_demo_is_refused_on_a_production_server_unless_forced(settings, tenant_a) -> None:
    import pytest
    from django.core.management import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="passwords are public"):
        call_command("demo", stdout=StringIO())
    assert not Tenant.objects.filter(slug="graha-indah").exists()


def test_debug_is_refused_in_production(tmp_path: Path) -> None:
    import base64
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "KLUSTERA_ENV": "production",
        "DEBUG": "1",
        "SECRET_KEY": "x" * 50,
        "ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"k" * 32).decode(),
        "KLUSTERA_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "klustera.settings",
    }
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "DEBUG=1 is refused with KLUSTERA_ENV=production" in started.stderr
