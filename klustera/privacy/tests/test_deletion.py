"""Deletion is anonymisation: the person's data is gone from every table, their photos from
storage, sign-in impossible; the books keep every rupiah under a pseudonym."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import connections
from django.db.models import Sum
from django.test import Client

from klustera.accounts.models import User
from klustera.billing.models import Allocation, Invoice, Payment
from klustera.helpdesk.models import TicketPhoto
from klustera.notifications.services import notify
from klustera.privacy.models import DataRequest
from klustera.privacy.services import Subject, anonymise
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context

BASE = "/c/alpha/api/v1"


def _as(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _books() -> dict[str, Decimal | int]:
    return {
        "invoices": Invoice.objects.count(),
        "billed": Invoice.objects.aggregate(s=Sum("total"))["s"],
        "paid_on_invoices": Invoice.objects.aggregate(s=Sum("amount_paid"))["s"],
        "payments": Payment.objects.aggregate(s=Sum("amount"))["s"],
        "allocated": Allocation.objects.aggregate(s=Sum("amount"))["s"],
    }


def everything_stored(alias: str) -> str:
    """Every row of every table of the complex's database, as text."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        dump = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


def test_after_deletion_no_table_holds_the_person_and_the_ledger_still_balances(
    people, django_capture_on_commit_callbacks
) -> None:
    siti, hendra, tenant = people["siti"], people["hendra"], people["tenant"]
    alias = alias_for(tenant)
    with tenant_context(tenant):
        books = _books()
        photos = list(
            TicketPhoto.objects.filter(added_by=siti.user).values_list("image", flat=True)
        )
        assert photos and all(default_storage.exists(name) for name in photos)
        before = everything_stored(alias)
    assert all(needle in before for needle in siti.needles)  # the search can find them
    asked = _as(siti.token).post(
        f"{BASE}/privacy/requests", {"kind": "deletion"}, content_type="application/json"
    )
    assert asked.status_code == 201
    manager = _as(people["manager_token"])
    queue = manager.get(f"{BASE}/admin/privacy/requests").json()
    assert [(r["id"], r["kind"], r["overdue"]) for r in queue["data"]] == [
        (asked.json()["data"]["id"], "deletion", False)
    ]
    with django_capture_on_commit_callbacks(using=alias, execute=True):
        done = manager.post(
            f"{BASE}/admin/privacy/requests/{asked.json()['data']['id']}/complete",
            {"outcome": ""},
            content_type="application/json",
        )
    assert done.status_code == 200, done.json()
    answer = done.json()["data"]
    assert answer["status"] == "completed"
    assert "Rp 250.000" in answer["outcome"] and "A-01" in answer["outcome"]  # the debt stays

    with tenant_context(tenant):
        after = everything_stored(alias)
        for needle in siti.needles:
            assert needle not in after, needle
        assert hendra.name in after and hendra.phone in after  # the neighbour is untouched
        assert _books() == books  # to the rupiah
        assert not any(default_storage.exists(name) for name in photos)
        user = User.objects.get(pk=siti.user.pk)
        assert not user.is_active and not user.has_usable_password()
        assert DataRequest.objects.get(pk=answer["id"]).outcome == answer["outcome"]
    refused = Client().post(
        "/c/alpha/login", {"username": "081355501234", "password": "x-pass-123"}
    )
    assert refused.status_code == 200  # the form again: nobody signs in as her
    assert _as(siti.token).get(f"{BASE}/auth/me").status_code == 401

    again = manager.post(
        f"{BASE}/admin/privacy/requests/{answer['id']}/complete",
        {"outcome": ""},
        content_type="application/json",
    )
    assert again.status_code == 409
    with tenant_context(tenant):  # anonymising twice is harmless
        anonymise(Subject.of(User.objects.get(pk=siti.user.pk)))
        assert _books() == books
        assert everything_stored(alias).count("Anonim #") == after.count("Anonim #")
        [bill] = notify(  # the unit's bills go on; its anonymised owner is not written to
            recipient=User.objects.get(pk=siti.user.pk),
            template="data_request_answered",
            context={"kind": "x", "status": "y", "outcome": "z", "link": "x"},
            channels=["whatsapp"],
        )
        assert (bill.status, bill.skip_reason) == ("skipped", "the account is closed")


def test_a_correction_is_answered_with_what_was_done(people) -> None:
    siti = _as(people["siti"].token)
    empty = siti.post(
        f"{BASE}/privacy/requests", {"kind": "correction"}, content_type="application/json"
    )
    assert empty.status_code == 422
    asked = siti.post(
        f"{BASE}/privacy/requests",
        {"kind": "correction", "details": "Email saya yang benar: siti@contoh.id"},
        content_type="application/json",
    ).json()["data"]
    manager = _as(people["manager_token"])
    url = f"{BASE}/admin/privacy/requests/{asked['id']}/complete"
    silent = manager.post(url, {"outcome": " "}, content_type="application/json")
    assert silent.status_code == 422
    done = manager.post(url, {"outcome": "Email diganti."}, content_type="application/json")
    assert done.json()["data"]["status"] == "completed"
    mine = siti.get(f"{BASE}/privacy/requests").json()["data"]
    assert [(r["kind"], r["outcome"]) for r in mine] == [("correction", "Email diganti.")]
    other = _as(people["hendra"].token)
    assert other.post(url, {"outcome": "x"}, content_type="application/json").status_code == 403
