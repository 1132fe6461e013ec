"""A person downloads everything about them: JSON and CSV of every declared field, their
documents, nothing of anyone else; for 7 days, and only they can."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

from django.test import Client

from klustera.privacy.declaration import declared_in_complex
from klustera.privacy.models import DataRequest
from klustera.privacy.services import Subject, expire_exports, rows_of
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context

BASE = "/c/alpha/api/v1"
IN_COMPLEX = {declaration.model: declaration for declaration in declared_in_complex()}


def _as(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _ask_for_a_copy(people, django_capture_on_commit_callbacks) -> tuple[dict, bytes]:
    siti = people["siti"]
    with django_capture_on_commit_callbacks(using=alias_for(people["tenant"]), execute=True):
        made = _as(siti.token).post(
            f"{BASE}/privacy/requests", {"kind": "access"}, content_type="application/json"
        )
    assert made.status_code == 201, made.json()
    answer = _as(siti.token).get(f"{BASE}/privacy/requests/{made.json()['data']['id']}").json()
    assert answer["data"]["status"] == "completed" and answer["data"]["export_available"]
    download = _as(siti.token).get(f"{BASE}/privacy/requests/{answer['data']['id']}/download")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    return answer["data"], b"".join(download.streaming_content)


def test_the_copy_holds_every_declared_field_and_document_and_nothing_of_anyone_else(
    people, django_capture_on_commit_callbacks
) -> None:
    siti, hendra = people["siti"], people["hendra"]
    with tenant_context(people["tenant"]):  # what is theirs before they ask (not the answer)
        theirs = {
            label: set(rows_of(declaration, Subject.of(siti.user)).values_list("pk", flat=True))
            for label, declaration in IN_COMPLEX.items()
        }
    _request, body = _ask_for_a_copy(people, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = set(archive.namelist())
    with tenant_context(people["tenant"]):  # and what is theirs now, the request included
        now_theirs = {
            label: set(rows_of(declaration, Subject.of(siti.user)).values_list("pk", flat=True))
            for label, declaration in IN_COMPLEX.items()
        }
    for label, declaration in IN_COMPLEX.items():
        rows = json.loads(archive.read(f"data/{label}.json"))
        table = list(csv.DictReader(io.StringIO(archive.read(f"data/{label}.csv").decode())))
        exported = {row["id"] for row in rows}
        assert theirs[label] <= exported <= now_theirs[label], label
        assert len(table) == len(exported), label
        for row in rows:
            assert set(declaration.fields) <= set(row), label
    assert theirs["helpdesk.Ticket"] and theirs["access.AccessLog"] and theirs["billing.Payment"]
    resident = json.loads(archive.read("data/estate.Resident.json"))
    assert resident == [
        {"id": siti.resident.pk, "name": siti.name, "phone": siti.phone, "email": siti.email}
    ]
    documents = {name for name in names if name.startswith("documents/")}
    assert any(name.startswith("documents/helpdesk.TicketPhoto/") for name in documents)
    assert any(name.startswith("documents/billing.Payment/") for name in documents)
    assert any(name.startswith("documents/billing.Invoice/") for name in documents)
    assert any(name.startswith("documents/access.Parcel/") for name in documents)
    receipts = [n for n in documents if n.startswith("documents/billing.Payment/")]
    assert archive.read(receipts[0]).startswith(b"%PDF")
    everything = b"".join(archive.read(name) for name in names).decode("utf-8", "replace")
    for needle in hendra.needles:
        assert needle not in everything
    assert siti.name in everything and siti.email in everything


def test_the_copy_is_theirs_alone_and_goes_after_seven_days(
    people, django_capture_on_commit_callbacks, clock
) -> None:
    request, _body = _ask_for_a_copy(people, django_capture_on_commit_callbacks)
    url = f"{BASE}/privacy/requests/{request['id']}"
    hendra = _as(people["hendra"].token)
    assert hendra.get(f"{url}/download").status_code == 404
    assert hendra.get(url).status_code == 404
    portal = Client()
    assert portal.post("/c/alpha/login", {"username": "081355509999", "password": "x-pass-123"})
    assert portal.get(f"/c/alpha/privacy/requests/{request['id']}/download").status_code == 404
    clock.advance(days=7, minutes=1)
    with tenant_context(people["tenant"]):
        assert expire_exports() == 1
        assert DataRequest.objects.get(pk=request["id"]).export == ""
    assert _as(people["siti"].token).get(f"{url}/download").status_code == 404


def test_asking_twice_while_one_is_open_is_a_conflict(people) -> None:
    siti = _as(people["siti"].token)
    first = siti.post(
        f"{BASE}/privacy/requests", {"kind": "deletion"}, content_type="application/json"
    )
    assert first.status_code == 201
    assert first.json()["data"]["due_at"]
    again = siti.post(
        f"{BASE}/privacy/requests", {"kind": "deletion"}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["details"]["codes"] == {"detail": ["request_already_open"]}
    with tenant_context(people["tenant"]):
        opened = DataRequest.objects.get()
        assert opened.due_at - opened.created_at == timedelta(hours=72)
