"""The privacy pages: a person's choices and requests; the managers' queue, notice, retention
and record of processing."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from klustera.accounts.models import AuthFailure
from klustera.privacy.declaration import DECLARED
from klustera.privacy.models import ConsentRecord, DataRequest
from klustera.tenancy.context import tenant_context


def _signed_in(phone: str) -> Client:
    client = Client()
    assert client.post("/c/alpha/login", {"username": phone, "password": "x-pass-123"})
    return client


def test_a_resident_changes_their_choices_and_asks_about_their_data(people) -> None:
    siti = _signed_in("081355501234")
    page = siti.get("/c/alpha/privacy/").content.decode()
    assert 'id="opt-ins"' in page and "Pemberitahuan privasi, versi 1" in page
    siti.post("/c/alpha/privacy/", {"choices": "1", "marketing": "on"})  # community unticked
    with tenant_context(people["tenant"]):
        latest = {
            r.purpose: r.granted
            for r in ConsentRecord.objects.filter(user=people["siti"].user).order_by("pk")
        }
    assert latest["community"] is False and latest["marketing"] is True
    empty = siti.post("/c/alpha/privacy/", {"ask": "1", "kind": "correction", "details": ""})
    assert 'role="alert"' in empty.content.decode()  # a correction says what is wrong
    asked = siti.post(
        "/c/alpha/privacy/",
        {"ask": "1", "kind": "correction", "details": "Nama saya Siti Rahayu"},
        follow=True,
    ).content.decode()
    assert "Permintaan diterima" in asked and "Perbaiki data saya" in asked


def test_a_manager_answers_from_the_queue_within_the_clock(people, clock) -> None:
    with tenant_context(people["tenant"]):
        request = DataRequest.objects.create(
            user=people["siti"].user,
            kind="deletion",
            created_at=timezone.now(),
            due_at=timezone.now() + timedelta(hours=72),
        )
    manager = _signed_in("081300000001")
    queue = manager.get("/c/alpha/manage/privacy/").content.decode()
    assert "Siti Privasi" in queue and "3\xa0hari lagi" in queue  # the clock stands still here
    clock.advance(hours=73)
    late = manager.get("/c/alpha/manage/privacy/").content.decode()
    assert "status-overdue" in late
    detail = manager.get(f"/c/alpha/manage/privacy/{request.pk}/").content.decode()
    assert "Rp 250.000" in detail  # the unpaid bill that stays is said before anonymising
    done = manager.post(
        f"/c/alpha/manage/privacy/{request.pk}/", {"complete": "1", "outcome": ""}, follow=True
    ).content.decode()
    assert 'id="request-status">Selesai' in done


def test_the_managers_see_retention_and_the_record_of_processing(people) -> None:
    with tenant_context(people["tenant"]):
        AuthFailure.objects.create(
            phone="+6281300000009", kind="password", created_at=timezone.now() - timedelta(days=400)
        )
    manager = _signed_in("081300000001")
    retention = manager.get("/c/alpha/manage/privacy/retention").content.decode()
    assert "accounts.AuthFailure" in retention
    manager.post("/c/alpha/manage/privacy/retention", {"apply": "1"})
    assert (
        "accounts.AuthFailure"
        not in manager.get("/c/alpha/manage/privacy/retention").content.decode()
    )
    refused = manager.post(
        "/c/alpha/manage/privacy/retention",
        {"periods": "1", "operational_days": "365", "financial_years": "5"},
    )
    assert 'role="alert"' in refused.content.decode()  # never under the tax law's ten years
    record = manager.get("/c/alpha/manage/privacy/processing").content.decode()
    assert "Xendit" in record and record.count("<tr>") == len(DECLARED) + 1
    pdf = manager.get("/c/alpha/manage/privacy/processing.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    published = manager.post(
        "/c/alpha/manage/privacy/notice",
        {"additions_id": "CCTV di gerbang.", "additions_en": "CCTV at the gate."},
        follow=True,
    ).content.decode()
    assert "Versi 2" in published or "version 2" in published.lower()
