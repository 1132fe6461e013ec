"""A person's copy of their data: a ZIP of JSON and CSV of every declared field, with their
documents, written row by row to a file so that ten years of history never sit in memory."""

from __future__ import annotations

import csv
import json
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from klustera.privacy.declaration import Personal, declared_in_complex
from klustera.privacy.services.subjects import Subject, rows_of

README = """Klustera — data pribadi Anda / your personal data

data/<model>.json and data/<model>.csv: every field about you that this complex keeps,
one file per kind of record (UU PDP art. 7 and 13).
documents/: your invoices, receipts, photos and files, named after the record they belong to.

data/<model>.json dan data/<model>.csv: setiap data tentang Anda yang disimpan kompleks ini,
satu berkas per jenis catatan (UU PDP pasal 7 dan 13).
documents/: tagihan, kuitansi, foto dan berkas Anda, dinamai menurut catatannya.
"""


def write_export(subject: Subject, target: IO[bytes]) -> dict[str, int]:
    """Write the person's ZIP into ``target``; returns the rows per model."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for declaration in declared_in_complex():
            counts[declaration.model] = _write_model(archive, declaration, subject)
    return counts


def _columns(declaration: Personal) -> list[str]:
    return ["id", *declaration.fields, *declaration.shows]


def _write_model(archive: zipfile.ZipFile, declaration: Personal, subject: Subject) -> int:
    """The model's rows as JSON and CSV, each spooled to a file on disk first (a ZIP takes one
    entry at a time, and the documents go in between)."""
    columns = _columns(declaration)
    files = set(declaration.file_fields())
    base = f"data/{declaration.model}"
    count = 0
    with (
        tempfile.TemporaryFile("w+b") as json_out,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as csv_out,
    ):
        writer = csv.writer(csv_out)
        writer.writerow(columns)
        json_out.write(b"[")
        for row in _rows(declaration, subject, columns):
            documents = {
                name: _add_document(archive, declaration, row["id"], name, row[name])
                for name in files
                if row[name]
            }
            values = {
                column: documents.get(column, "") if column in files else row[column]
                for column in columns
            }
            json_out.write((b"," if count else b"") + b"\n")
            json_out.write(json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
            writer.writerow([_cell(values[column]) for column in columns])
            count += 1
        json_out.write(b"\n]\n")
        csv_out.flush()
        _copy_in(archive, f"{base}.json", json_out)
        _copy_in(archive, f"{base}.csv", cast("IO[bytes]", csv_out.buffer))
    return count


def _copy_in(archive: zipfile.ZipFile, name: str, spool: IO[bytes]) -> None:
    spool.seek(0)
    with archive.open(name, "w") as out:
        for chunk in iter(lambda: spool.read(64 * 1024), b""):
            out.write(chunk)


def _rows(declaration: Personal, subject: Subject, columns: list[str]) -> Iterator[dict[str, Any]]:
    model = declaration.model_class
    for instance in rows_of(declaration, subject).iterator(chunk_size=500):
        yield {column: _value(model, instance, column) for column in columns}


def _value(model: type[models.Model], instance: models.Model, column: str) -> Any:
    if column == "id":
        return instance.pk
    field = cast("models.Field[Any, Any]", model._meta.get_field(column))
    if isinstance(field, models.FileField):
        return getattr(instance, column)
    return field.value_from_object(instance)


def _add_document(archive: Any, declaration: Personal, pk: int, name: str, stored: Any) -> str:
    extension = stored.name.rsplit(".", 1)[-1] if "." in stored.name else "bin"
    path = f"documents/{declaration.model}/{pk}-{name}.{extension}"
    try:
        with stored.open("rb") as source, archive.open(path, "w") as out:
            for chunk in iter(lambda: source.read(64 * 1024), b""):
                out.write(chunk)
    except FileNotFoundError:
        return ""  # a file gone from storage: the row says so by an empty name
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value
