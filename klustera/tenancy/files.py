"""Where uploaded files of a complex are stored, and moving them into a bucket."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files import File
from django.db import models
from storages.utils import clean_name

from klustera.tenancy.context import current_tenant

if TYPE_CHECKING:  # boto3 is imported only where a bucket is used
    from storages.backends.s3 import S3Storage


def private_upload(instance: models.Model, filename: str) -> str:
    """``<slug>/<model>/<random>.<ext>``: the complex's own folder, a name nobody can guess."""
    tenant = current_tenant()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    folder = instance._meta.model_name
    return f"{tenant.slug if tenant else 'platform'}/{folder}/{uuid.uuid4().hex}.{extension[:5]}"


@dataclass(frozen=True)
class MediaCopy:
    copied: int
    skipped: int  # already in the bucket, the same bytes
    size: int  # bytes copied


class MediaCopyFailed(Exception):
    pass


def copy_media(source: Path, bucket: S3Storage) -> MediaCopy:
    """Every file under ``source`` (the old MEDIA_ROOT) into ``bucket`` under the same name —
    complex prefix included. A file already there with the same bytes is skipped, so an
    interrupted copy resumes by running it again; each copied file is read back and compared."""
    copied = skipped = size = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        digest = _md5(path.read_bytes())
        if _stored_md5(bucket, name) == digest:
            skipped += 1
            continue
        with path.open("rb") as handle:
            saved = bucket.save(name, File(handle))
        if saved != name or _stored_md5(bucket, name, read=True) != digest:
            raise MediaCopyFailed(f"{name}: the bucket's copy differs from the file; run again")
        copied, size = copied + 1, size + path.stat().st_size
    return MediaCopy(copied, skipped, size)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _stored_md5(bucket: S3Storage, name: str, *, read: bool = False) -> str | None:
    """The MD5 of the bucket's object: its ETag for a single-part upload, else (or when asked)
    its bytes read back. None when it is not there."""
    if not bucket.exists(name):
        return None
    etag = bucket.bucket.Object(bucket._normalize_name(clean_name(name))).e_tag.strip('"')
    if not read and "-" not in etag:
        return etag
    with bucket.open(name, "rb") as stored:
        return _md5(stored.read())
