"""Tables people download: CSV that Excel reads (UTF-8 with a BOM) and XLSX, both safe
from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any, starts: tuple[str, ...] = CSV_FORMULA) -> Any:
    """Text starting like a formula is quoted, so a spreadsheet never runs it.

    In a CSV any of ``starts`` begins a formula; in an XLSX string cell only ``=`` does.
    Numbers are left alone (a negative amount is a number, not a formula).
    """
    if isinstance(value, str) and value.startswith(starts):
        return f"'{value}"
    return value


def to_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(rows: Iterable[Iterable[Any]], sheet: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    for row in rows:
        worksheet.append([safe_cell(value, ("=",)) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
