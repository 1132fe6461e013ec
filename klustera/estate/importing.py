"""Onboarding a complex from a spreadsheet: units and residents in, and out again.

One row per unit and occupant: the unit's columns, optionally followed by a
resident's. A unit (block + number) already in the registry is updated with
the cells given; a resident is matched by phone. The import is checked row by
row first; when any row is invalid, nothing is written and every error is
reported with its row and column. A preview runs the whole import and rolls
it back, so its counts are exactly what the import would do.

CSV (comma, semicolon or tab; UTF-8) and XLSX are read; exports are written
in the same columns, so an export can be edited and imported back.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klustera.accounts.models import User
from klustera.audit.services import record
from klustera.errors import StateConflict
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.estate.services import check_plan_room
from klustera.phones import normalize_phone
from klustera.tables import to_csv, to_xlsx
from klustera.tenancy.context import one_writer_at_a_time, tenant_atomic

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # an XLSX's XML, well above 20,000 rows' worth
COLUMNS = (
    "block",
    "number",
    "floor",
    "unit_type",
    "land_area",
    "building_area",
    "vote_weight",
    "resident_name",
    "resident_phone",
    "resident_email",
    "role",
    "start_on",
    "billing_contact",
)
# Headings managers write in Indonesian spreadsheets, mapped to our columns.
ALIASES = {
    "blok": "block",
    "nomor": "number",
    "no": "number",
    "lantai": "floor",
    "tipe": "unit_type",
    "luas_tanah": "land_area",
    "luas_bangunan": "building_area",
    "bobot_suara": "vote_weight",
    "nama": "resident_name",
    "nama_penghuni": "resident_name",
    "telepon": "resident_phone",
    "no_hp": "resident_phone",
    "hp": "resident_phone",
    "email": "resident_email",
    "peran": "role",
    "status_hunian": "role",
    "mulai": "start_on",
    "tanggal_mulai": "start_on",
    "kontak_tagihan": "billing_contact",
}
YES = {"1", "y", "ya", "yes", "true", "x", "v"}
NO = {"", "0", "n", "t", "tidak", "no", "false"}


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it: the heading is row 1
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    units_created: int = 0
    units_updated: int = 0
    residents_created: int = 0
    stays_created: int = 0
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, size, headings)."""


class AreaField(forms.DecimalField):
    """Accepts ``90,5`` as well as ``90.5``."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


class YesNoField(forms.Field):
    def to_python(self, value: Any) -> bool:
        text = str(value or "").strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValidationError(gettext_lazy("Write yes or no."))


class RowForm(forms.Form):
    block = forms.CharField(max_length=20, required=False)
    number = forms.CharField(max_length=20)
    floor = forms.IntegerField(required=False, min_value=-10, max_value=200)
    unit_type = forms.ChoiceField(choices=[("", ""), *Unit.Type.choices], required=False)
    land_area = AreaField(required=False, min_value=0, max_digits=9, decimal_places=2)
    building_area = AreaField(required=False, min_value=0, max_digits=9, decimal_places=2)
    vote_weight = AreaField(required=False, min_value=0, max_digits=9, decimal_places=2)
    resident_name = forms.CharField(max_length=150, required=False)
    resident_phone = forms.CharField(max_length=30, required=False)
    resident_email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=[("", ""), *Occupancy.Role.choices], required=False)
    start_on = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"])
    billing_contact = YesNoField(required=False)

    def clean_resident_phone(self) -> str:
        phone = self.cleaned_data["resident_phone"]
        return normalize_phone(phone) if phone else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_resident = any(data.get(name) for name in ("resident_name", "resident_phone"))
        if has_resident and not data.get("resident_phone") and "resident_phone" not in self.errors:
            self.add_error("resident_phone", _("A resident needs a phone number."))
        if has_resident and not data.get("resident_name") and "resident_name" not in self.errors:
            self.add_error("resident_name", _("A resident needs a name."))
        return data


# --- Reading ------------------------------------------------------------------------


def read_rows(content: bytes, filename: str) -> list[dict[str, Any]]:
    """The file's rows as dicts of our column names (unknown columns are refused)."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB; split it into several imports."))
    is_xlsx = content.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx")
    rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    filled = (row for row in rows if any(str(cell or "").strip() for cell in row))
    # Reading stops one row past the limit: a file of millions of rows costs no more.
    table = list(islice(filled, MAX_ROWS + 2))
    if not table:
        raise ImportFileError(_("The file is empty."))
    headings = [_column(str(cell or "")) for cell in table[0]]
    unknown = [h for h in headings if h and h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(columns)s. The columns are: %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    if "number" not in headings:
        raise ImportFileError(_("The file needs at least the column 'number'."))
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(_("At most %(n)s rows can be imported at once.") % {"n": MAX_ROWS})
    return [
        {heading: _cell(value) for heading, value in zip(headings, row, strict=False) if heading}
        for row in table[1:]
    ]


def _column(heading: str) -> str:
    key = heading.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().removeprefix("'")  # the quote our exports put before + - = @


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Save the CSV file as UTF-8, or upload an XLSX file.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(content: bytes) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook  # uses defusedxml, which is installed, against XML bombs

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFileError(_("This is not a readable XLSX file.")) from exc
    if unpacked > MAX_UNPACKED_BYTES:  # a small file that unpacks into millions of rows
        raise ImportFileError(_("The file holds more than can be imported at once; split it."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("This is not a readable XLSX file.")) from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


# --- Checking and writing ---------------------------------------------------------------


class _Preview(Exception):
    """Raised at the end of a preview to roll its writes back."""


def import_estate(
    *, content: bytes, filename: str, actor: User, commit: bool = False
) -> ImportReport:
    """Check the file; with ``commit``, write it (all rows or none). Returns the report.

    A file that cannot be read raises ``ImportFileError``; row errors are in
    the report and leave the registry untouched. Units past the plan's limit
    raise ``StateConflict`` (``PLAN_LIMIT``), and nothing is written.
    """
    rows = read_rows(content, filename)
    report = ImportReport(rows=len(rows))
    cleaned = _check(rows, report)
    if report.errors:
        return report
    try:
        with tenant_atomic():
            one_writer_at_a_time("estate.units")
            _write(cleaned, report)
            check_plan_room()
            if not commit:
                raise _Preview
            record(
                actor=actor,
                action="estate.imported",
                filename=filename[:100],
                rows=report.rows,
                units_created=report.units_created,
                units_updated=report.units_updated,
                residents_created=report.residents_created,
                stays_created=report.stays_created,
            )
    except _Preview:
        return report
    except StateConflict:
        raise
    except ValidationError as exc:  # a rule of the registry the row check could not see
        report.errors.append(RowError(0, "", " ".join(exc.messages)))
        report.units_created = report.units_updated = 0
        report.residents_created = report.stays_created = 0
        return report
    report.committed = True
    return report


def _check(rows: list[dict[str, Any]], report: ImportReport) -> list[tuple[int, dict[str, Any]]]:
    cleaned: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str, str], int] = {}
    contacts: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows, start=2):
        form = RowForm(data=row)
        if not form.is_valid():
            for column, messages in form.errors.items():
                report.errors.extend(RowError(index, column, str(m)) for m in messages)
            continue
        data = form.cleaned_data
        unit_key = (data["block"].strip(), data["number"].strip())
        key = (*unit_key, data["resident_phone"])
        if key in seen:
            report.errors.append(
                RowError(index, "number", _("Same as row %(row)s.") % {"row": seen[key]})
            )
            continue
        seen[key] = index
        if data["billing_contact"]:
            if not data["resident_phone"]:
                report.errors.append(
                    RowError(index, "billing_contact", _("Only a resident can be the contact."))
                )
            elif unit_key in contacts:
                report.errors.append(
                    RowError(
                        index,
                        "billing_contact",
                        _("Row %(row)s is already this unit's billing contact.")
                        % {"row": contacts[unit_key]},
                    )
                )
            contacts.setdefault(unit_key, index)
        cleaned.append((index, data))
    return cleaned


def _write(rows: list[tuple[int, dict[str, Any]]], report: ImportReport) -> None:
    units = {(u.block, u.number): u for u in Unit.objects.all()}
    residents = {r.phone: r for r in Resident.objects.all()}
    current = {
        (stay.unit_id, stay.resident_id): stay
        for stay in Occupancy.objects.filter(end_on__isnull=True)
    }
    has_contact = {unit_id for (unit_id, _r), stay in current.items() if stay.is_billing_contact}
    touched: set[int] = set()
    today = timezone.localdate()
    for _index, data in rows:
        key = (data["block"].strip(), data["number"].strip())
        unit = units.get(key)
        attributes = {
            name: data[name]
            for name in ("floor", "unit_type", "land_area", "building_area", "vote_weight")
            if data[name] not in (None, "")
        }
        if unit is None:
            unit = Unit.objects.create(block=key[0], number=key[1], **attributes)
            units[key] = unit
            report.units_created += 1
        elif attributes and unit.pk not in touched:
            for name, value in attributes.items():
                setattr(unit, name, value)
            unit.save(update_fields=list(attributes))
            report.units_updated += 1
        touched.add(unit.pk)
        if not data["resident_phone"]:
            continue
        resident = residents.get(data["resident_phone"])
        if resident is None:
            resident = Resident.objects.create(
                name=data["resident_name"].strip(),
                phone=data["resident_phone"],
                email=data["resident_email"],
            )
            residents[resident.phone] = resident
            report.residents_created += 1
        if (unit.pk, resident.pk) in current:
            continue  # already living there: importing the same file twice changes nothing
        contact = bool(data["billing_contact"])
        if contact and unit.pk in has_contact:
            raise ValidationError(
                _("Unit %(unit)s already has a billing contact.") % {"unit": unit},
                code="billing_contact_exists",
            )
        current[(unit.pk, resident.pk)] = Occupancy.objects.create(
            unit=unit,
            resident=resident,
            role=data["role"] or Occupancy.Role.OWNER,
            start_on=data["start_on"] or today,
            is_billing_contact=contact,
        )
        if contact:
            has_contact.add(unit.pk)
        report.stays_created += 1


# --- Export -----------------------------------------------------------------------------


def export_rows() -> Iterator[list[Any]]:
    """The registry in the import's columns: one row per unit and current occupant."""
    yield list(COLUMNS)
    stays = Occupancy.objects.filter(end_on__isnull=True).select_related("resident")
    by_unit: dict[int, list[Occupancy]] = {}
    for stay in stays.order_by("-is_billing_contact", "start_on"):
        by_unit.setdefault(stay.unit_id, []).append(stay)
    for unit in Unit.objects.order_by("block", "number"):
        base = [
            unit.block,
            unit.number,
            unit.floor if unit.floor is not None else "",
            unit.unit_type,
            unit.land_area if unit.land_area is not None else "",
            unit.building_area if unit.building_area is not None else "",
            unit.vote_weight if unit.vote_weight is not None else "",
        ]
        if unit.pk not in by_unit:
            yield [*base, "", "", "", "", "", ""]
        for stay in by_unit.get(unit.pk, []):
            yield [
                *base,
                stay.resident.name,
                stay.resident.phone,
                stay.resident.email,
                stay.role,
                stay.start_on.isoformat(),
                "yes" if stay.is_billing_contact else "no",
            ]


def export_csv() -> bytes:
    return to_csv(export_rows())


def export_xlsx() -> bytes:
    return to_xlsx(export_rows(), "units")
