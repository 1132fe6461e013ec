"""Media in an S3-compatible bucket (moto's S3 server): files keep their complex's prefix,
stay private, are served only after the app's own check, and `klustera media migrate` copies a
local media folder in, resuming where it stopped."""

from __future__ import annotations

from io import StringIO

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from storages.backends.s3 import S3Storage

from klustera.community.models import Announcement
from klustera.community.tests.test_attachments import PDF, _pdf, _photo, estate  # noqa: F401
from klustera.objectstore import s3_options
from klustera.tenancy.context import tenant_context

BASE = "/c/alpha/api/v1"


def _keys(bucket: S3Storage) -> list[str]:
    return sorted(o.key for o in bucket.bucket.objects.all())


def test_an_attachment_lives_in_the_bucket_and_is_served_only_after_the_check(
    estate,  # noqa: F811  (the attachments' fixture)
    media_bucket,
    tenant_a,
    s3_server,
) -> None:
    manager = Client()
    manager.post("/c/alpha/login", {"username": "081300000001", "password": "x-pass-123"})
    posted = manager.post(
        "/c/alpha/announcements/",
        {
            "title": "Kerja bakti",
            "body": "Terlampir.",
            "blocks": ["B"],
            "attachments": [_pdf(), _photo()],
        },
    )
    assert posted.status_code == 302
    keys = _keys(media_bucket)
    assert len(keys) == 2 and all(k.startswith("klustera/alpha/attachment/") for k in keys)
    assert list(estate["media"].rglob("*.*")) == []  # nothing on the local disk

    with tenant_context(tenant_a):
        pdf = Announcement.objects.get().attachments.get(content_type="application/pdf")
    url = f"{BASE}/attachments/{pdf.pk}"
    download = estate["bea"].get(url)  # block B's resident, who may read it
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert estate["alpha"].get(url).status_code == 404  # block A's may not
    assert Client().get(url).status_code == 401
    # the objects are private: nobody reaches one without the bucket's keys
    for key in keys:
        assert httpx.get(f"{s3_server}/{media_bucket.bucket_name}/{key}").status_code == 403


def test_media_migrate_resumes_and_verifies(media_bucket, tmp_path, monkeypatch) -> None:
    files = {
        "alpha/attachment/a.pdf": PDF,
        "alpha/ticketphoto/b.jpg": b"\xff\xd8" + b"x" * 5000,
        "beta/invoices/INV-1.pdf": PDF + b"beta",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    real_save, saved = S3Storage.save, []

    def interrupted(self, name, content, **kwargs):  # the connection drops at the 2nd file
        if len(saved) == 1:
            raise OSError("connection reset")
        saved.append(name)
        return real_save(self, name, content, **kwargs)

    monkeypatch.setattr(S3Storage, "save", interrupted)
    with pytest.raises(OSError):
        call_command("media", "migrate", "--from", str(tmp_path))
    assert _keys(media_bucket) == ["klustera/alpha/attachment/a.pdf"]
    monkeypatch.setattr(S3Storage, "save", real_save)

    out = StringIO()
    call_command("media", "migrate", "--from", str(tmp_path), stdout=out)
    assert "2 file(s) copied" in out.getvalue() and "1 already there" in out.getvalue()
    again = StringIO()
    call_command("media", "migrate", "--from", str(tmp_path), stdout=again)
    assert "0 file(s) copied" in again.getvalue() and "3 already there" in again.getvalue()
    for name, content in files.items():
        with media_bucket.open(name, "rb") as stored:
            assert stored.read() == content


def test_media_migrate_needs_a_bucket(tmp_path) -> None:
    with pytest.raises(CommandError, match="names no bucket"):
        call_command("media", "migrate", "--from", str(tmp_path))


def test_the_storage_url_is_read_strictly() -> None:
    options = s3_options(
        "s3://AK%2F1:s%40cret@media-prod/klustera?endpoint_url=https://r2.example&region=auto"
    )
    assert (options["bucket_name"], options["location"]) == ("media-prod", "klustera")
    assert (options["access_key"], options["secret_key"]) == ("AK/1", "s@cret")
    assert (options["endpoint_url"], options["addressing_style"]) == ("https://r2.example", "path")
    assert s3_options("s3://media")["location"] == "" and "access_key" not in s3_options(
        "s3://media"
    )
    for wrong in ("https://media/x", "s3:///x", "s3://media?endpoint=x"):
        with pytest.raises(ImproperlyConfigured):
            s3_options(wrong)
