"""Onboarding from a spreadsheet: preview, all-or-nothing import, export and back."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from klustera.audit.models import AuditEntry
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.tenancy.context import tenant_context
from tests.seed import seed_complex

URL = "/c/alpha/api/v1/admin/units/import"
# How a manager's own spreadsheet looks: Indonesian headings, semicolons, decimal commas.
SHEET = (
    "Blok;Nomor;Tipe;Luas Tanah;Luas Bangunan;Bobot Suara;Nama;No HP;Peran;Mulai;Kontak Tagihan\n"
    "B;01;house;90,5;72;1,5;Andi Wijaya;0812-1111-0001;owner;01/03/2024;ya\n"
    "B;01;house;90,5;72;1,5;Dewi Wijaya;081211110002;family;01/03/2024;tidak\n"
    "B;02;house;120;96;2;Rudi Halim;081211110003;renter;2025-01-15;ya\n"
    "B;03;house;72;;;;;;;\n"
)


@pytest.fixture
def manager(tenant_a) -> Client:
    data = seed_complex(tenant_a, marker="alpha")  # exist already
    return Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}")


def _upload(client: Client, content: bytes | str, name: str = "units.csv", commit: bool = False):
    raw = content.encode() if isinstance(content, str) else content
    return client.post(
        URL, {"file": SimpleUploadedFile(name, raw), "commit": "true" if commit else "false"}
    )


def _counts(tenant) -> tuple[int, int, int]:
    with tenant_context(tenant):
        return Unit.objects.count(), Resident.objects.count(), Occupancy.objects.count()


def test_a_preview_writes_nothing_and_the_import_writes_it_all_once(manager, tenant_a) -> None:
    before = _counts(tenant_a)
    preview = _upload(manager, SHEET)
    assert preview.status_code == 200, preview.content
    report = preview.json()["data"]
    assert report["row_errors"] == [] and report["committed"] is False
    assert (report["rows"], report["units_created"], report["residents_created"]) == (4, 3, 3)
    assert report["stays_created"] == 3
    assert _counts(tenant_a) == before

    done = _upload(manager, SHEET, commit=True)
    assert done.status_code == 201
    assert done.json()["data"]["committed"] is True
    assert _counts(tenant_a) == (before[0] + 3, before[1] + 3, before[2] + 3)
    with tenant_context(tenant_a):
        b01 = Unit.objects.get(block="B", number="01")
        assert (str(b01.land_area), str(b01.vote_weight)) == ("90.50", "1.50")
        assert Unit.objects.get(block="B", number="03").vote_weight is None
        contact = b01.occupancies.get(is_billing_contact=True)
        assert (contact.resident.name, contact.resident.phone) == ("Andi Wijaya", "+6281211110001")
        assert str(contact.start_on) == "2024-03-01"
        assert AuditEntry.objects.filter(action="estate.imported").count() == 1

    again = _upload(manager, SHEET, commit=True).json()["data"]
    assert (again["units_created"], again["residents_created"], again["stays_created"]) == (0, 0, 0)
    assert _counts(tenant_a) == (before[0] + 3, before[1] + 3, before[2] + 3)


def test_bad_rows_are_all_reported_and_nothing_is_written(manager, tenant_a) -> None:
    before = _counts(tenant_a)
    sheet = (
        "block,number,unit_type,land_area,resident_name,resident_phone,role,billing_contact\n"
        "C,01,castle,-5,Budi,08123,owner,yes\n"  # type, area and phone are wrong
        "C,02,house,100,,,owner,yes\n"  # a contact with no resident
        "C,03,house,abc,Sari,081299990001,boss,maybe\n"
        ",,house,100,,,,\n"  # no number
        "C,04,house,100,Tono,081299990002,owner,yes\n"  # the only good row
    )
    response = _upload(manager, sheet, commit=True)
    assert response.status_code == 422
    errors = {(e["row"], e["column"]) for e in response.json()["error"]["details"]["rows"]}
    assert {(2, "unit_type"), (2, "land_area"), (2, "resident_phone")} <= errors
    assert {(3, "billing_contact"), (4, "land_area"), (4, "role"), (4, "billing_contact")} <= errors
    assert (5, "number") in errors
    assert not any(row == 6 for row, _ in errors)
    assert _counts(tenant_a) == before
    # The preview of the same file answers 200 with the same errors, for the manager to fix.
    preview = _upload(manager, sheet).json()["data"]
    assert {(e["row"], e["column"]) for e in preview["row_errors"]} == errors


def test_a_second_billing_contact_for_a_unit_is_refused(manager, tenant_a) -> None:
    before = _counts(tenant_a)
    # A-01 already has its billing contact (the seeded resident).
    sheet = (
        "block,number,resident_name,resident_phone,billing_contact\nA,01,Joko,081277770001,yes\n"
    )
    response = _upload(manager, sheet, commit=True)
    assert response.status_code == 422
    assert "A-01" in str(response.json()["error"]["details"])
    assert _counts(tenant_a) == before


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        ("", "units.csv", ""),  # refused as an empty upload
        (" ;\n\n", "units.csv", ""),  # no rows
        ("block,number,colour\nA,9,red\n", "units.csv", "colour"),
        ("block,floor\nA,1\n", "units.csv", "number"),
        ("blok;nomor\nA;9\n".encode("utf-16"), "units.csv", "UTF-8"),
        (b"PK\x03\x04 not really a workbook", "units.xlsx", "XLSX"),
    ],
)
def test_unreadable_files_get_a_clear_answer(manager, content, name, fragment) -> None:
    response = _upload(manager, content, name)
    assert response.status_code == 422
    assert fragment in response.json()["error"]["details"]["file"][0]


def test_an_export_imports_back_unchanged_as_xlsx(manager, tenant_a) -> None:
    _upload(manager, SHEET, commit=True)
    exported = manager.get("/c/alpha/api/v1/admin/units/export?type=xlsx")
    assert exported.status_code == 200
    assert exported["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("block", "number", "floor")
    assert ("B", "02") in {(r[0], r[1]) for r in rows[1:]}
    before = _counts(tenant_a)
    response = _upload(manager, exported.content, "units.xlsx", commit=True)
    assert response.status_code == 201, response.content
    report = response.json()["data"]
    assert report["row_errors"] == []
    assert (report["units_created"], report["residents_created"], report["stays_created"]) == (
        0,
        0,
        0,
    )
    assert _counts(tenant_a) == before


def test_a_workbook_typed_by_hand_imports(manager, tenant_a) -> None:
    from datetime import datetime

    book = Workbook()
    sheet: Any = book.active
    sheet.append(["Blok", "Nomor", "Lantai", "Tipe", "Luas Tanah", "Nama", "No HP", "Mulai"])
    sheet.append(["T", 1, 12, "2br", 54.5, "Maya Kusuma", "081255550001", datetime(2025, 6, 1)])
    out = io.BytesIO()
    book.save(out)
    report = _upload(manager, out.getvalue(), "units.xlsx", commit=True).json()["data"]
    assert report["row_errors"] == [] and report["units_created"] == 1
    with tenant_context(tenant_a):
        unit = Unit.objects.get(block="T", number="1")
        assert (unit.floor, unit.unit_type, str(unit.land_area)) == (12, "2br", "54.50")


def test_the_csv_export_defuses_formulas(manager, tenant_a) -> None:
    sheet = 'block,number,resident_name,resident_phone\nD,01,=HYPERLINK("x"),081244440001\n'
    assert _upload(manager, sheet, commit=True).status_code == 201
    exported = manager.get("/c/alpha/api/v1/admin/units/export").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    assert "\n=HYPERLINK" not in exported and ",=HYPERLINK" not in exported
    # The quoted cells come back as they were: the CSV export imports back unchanged.
    before = _counts(tenant_a)
    report = _upload(manager, exported.encode(), commit=True).json()["data"]
    assert report["stays_created"] == 0 and report["residents_created"] == 0
    assert _counts(tenant_a) == before


def _workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["block", "number"])
    for n in range(rows):
        sheet.append(["Z", str(n)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_reading_stops_one_row_past_the_limit(manager, tenant_a, monkeypatch) -> None:
    from klustera.estate import importing

    monkeypatch.setattr(importing, "MAX_ROWS", 50)
    read = 0
    real = importing._xlsx_rows

    def counted(content: bytes):
        nonlocal read
        for row in real(content):
            read += 1
            yield row

    monkeypatch.setattr(importing, "_xlsx_rows", counted)
    before = _counts(tenant_a)
    response = _upload(manager, _workbook(5_000), "units.xlsx")
    assert response.status_code == 422
    assert "50" in response.json()["error"]["details"]["file"][0]
    assert read <= 52  # the heading, 50 rows and the one too many: not 5,000
    csv_rows = "block,number\n" + "".join(f"Z,{n}\n" for n in range(5_000))
    assert _upload(manager, csv_rows).status_code == 422
    assert _counts(tenant_a) == before


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_parsed(
    manager, tenant_a, monkeypatch
) -> None:
    from klustera.estate import importing

    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 100_000)
    parsed = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: parsed.append(1))
    response = _upload(manager, _workbook(5_000), "units.xlsx")  # small zipped, ~250 KB of XML
    assert response.status_code == 422
    assert "bagi menjadi beberapa berkas" in response.json()["error"]["details"]["file"][0]
    assert parsed == []
