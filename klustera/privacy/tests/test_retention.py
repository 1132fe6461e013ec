"""Retention removes exactly what is past its period, on SQLite and PostgreSQL; a dry run
says so first; a run that stops halfway is finished by the next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from klustera.access.models import AccessLog, Parcel
from klustera.accounts.models import AuthFailure
from klustera.accounts.services import create_user
from klustera.estate.models import Resident, Unit
from klustera.notifications.models import Message
from klustera.privacy.models import RetentionRun
from klustera.privacy.services import apply_retention, retention_due, update_retention
from klustera.privacy.services import retention as retention_module
from klustera.privacy.tests.conftest import jpeg
from klustera.roles import Role
from klustera.tenancy.context import tenant_context


def _records(now) -> dict[str, list]:
    """Two of each kind: one 400 days old (past the year), one 300 days old (not yet)."""
    unit = Unit.objects.create(block="R", number="1")
    resident = Resident.objects.create(name="Rina", phone="+6281377770000")
    guard = create_user(
        phone="081300000003", name="Agus", password="x-pass-123", roles=[Role.SECURITY_STAFF]
    )
    made: dict[str, list] = {"log": [], "failure": [], "message": [], "parcel": []}
    for age in (400, 300):
        when = now - timedelta(days=age)
        made["log"].append(
            AccessLog.objects.create(
                kind="resident",
                method="qr",
                result="allowed",
                gate="Utama",
                plate="B1RINA",
                unit=unit,
                resident=resident,
                at=when,
            )
        )
        made["failure"].append(
            AuthFailure.objects.create(phone="+6281377770000", kind="password", created_at=when)
        )
        made["message"].append(
            Message.objects.create(
                to_name="Rina",
                to_address="+6281377770000",
                channel="whatsapp",
                category="billing",
                template="invoice_issued",
                context={"name": "Rina"},
                next_attempt_at=when,
                created_at=when,
            )
        )
        made["parcel"].append(
            Parcel.objects.create(
                unit=unit,
                received_by=guard,
                recipient_name="Rina",
                courier="JNE",
                gate="Utama",
                received_at=when,
                created_at=when,
                photo=ContentFile(jpeg(), name="p.jpg"),
            )
        )
    return made


def test_retention_removes_exactly_what_is_due(tenant_pair, django_capture_on_commit_callbacks):
    from klustera.tenancy.connections import alias_for

    tenant = tenant_pair[0]
    with tenant_context(tenant):
        now = timezone.now()
        made = _records(now)
        old_photo = made["parcel"][0].photo.name
        due = retention_due(now=now)  # the dry run
        assert due == {
            "access.AccessLog": 1,
            "access.Parcel": 1,
            "accounts.AuthFailure": 1,
            "notifications.Message": 1,
        }
        with django_capture_on_commit_callbacks(using=alias_for(tenant), execute=True):
            run = apply_retention(now=now)
        assert run.removed == due and run.finished_at is not None
        assert retention_due(now=now) == {}
        old_log, new_log = (AccessLog.objects.get(pk=row.pk) for row in made["log"])
        assert (old_log.plate, old_log.resident_id) == ("", None) and old_log.result == "allowed"
        assert (new_log.plate, new_log.resident_id) == ("B1RINA", made["log"][1].resident_id)
        assert list(AuthFailure.objects.values_list("pk", flat=True)) == [made["failure"][1].pk]
        old_message = Message.objects.get(pk=made["message"][0].pk)
        assert (old_message.to_name, old_message.context) == ("", {})
        assert Message.objects.get(pk=made["message"][1].pk).to_name == "Rina"
        old_parcel, new_parcel = (Parcel.objects.get(pk=row.pk) for row in made["parcel"])
        assert old_parcel.recipient_name == "Anonim" and not old_parcel.photo
        assert not default_storage.exists(old_photo)
        assert new_parcel.recipient_name == "Rina" and new_parcel.photo
        again = apply_retention(now=now)
        assert again.removed == {}  # twice is harmless


def test_a_run_that_stops_halfway_is_finished_by_the_next(in_tenant_a, monkeypatch):
    now = timezone.now()
    _records(now)
    real = retention_module.cleared
    calls = {"n": 0}

    def failing(declaration, subject):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the machine went down")
        return real(declaration, subject)

    monkeypatch.setattr(retention_module, "cleared", failing)
    with pytest.raises(RuntimeError):
        apply_retention(now=now)
    stopped = RetentionRun.objects.get()
    assert stopped.finished_at is None
    assert sum(retention_due(now=now).values()) in (1, 2, 3)  # some batches were done
    monkeypatch.setattr(retention_module, "cleared", real)
    apply_retention(now=now)
    assert retention_due(now=now) == {}


def test_periods_are_configurable_within_the_law(in_tenant_a):
    from django.core.exceptions import ValidationError

    now = timezone.now()
    _records(now)
    manager = create_user(
        phone="081300000001", name="Budi", password="x-pass-123", roles=[Role.PROPERTY_MANAGER]
    )
    update_retention(operational_days=730, financial_years=12, actor=manager)
    assert retention_due(now=now) == {}  # 400 days is within two years
    with pytest.raises(ValidationError):
        update_retention(operational_days=365, financial_years=5, actor=manager)
