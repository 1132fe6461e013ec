"""Attachments of announcements and polls: a PDF kept as sent, a photo without its metadata,
served only to those who may read what they belong to; a bad file refused with nothing
stored; a poll's attachments fixed once people have voted."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from klustera.accounts.services import create_user, issue_token
from klustera.audit.models import AuditEntry
from klustera.community.models import Announcement, Attachment, Poll
from klustera.community.services import cast_vote, create_poll
from klustera.estate.models import Occupancy, Resident, Unit
from klustera.roles import Role
from klustera.tenancy.context import current_alias, tenant_context
from tests.seed import seed_complex

BASE = "/c/alpha/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
GPS = 0x8825  # the EXIF tag of the GPS block


def _pdf(name: str = "Jadwal kerja bakti.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _photo(name: str = "IMG_0001.png") -> SimpleUploadedFile:
    """A phone's photo with where it was taken in its EXIF (sent under a PNG's name)."""
    exif = Image.Exif()
    exif[GPS] = {1: "S", 2: (6.0, 14.0, 0.0), 3: "E", 4: (106.0, 49.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def estate(tenant_a, settings, tmp_path) -> dict[str, Any]:
    """Alpha's seed (Resident alpha in A-01), Bu Bea in B-01, API clients for the three."""
    settings.MEDIA_ROOT = tmp_path
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        bea = create_user(phone="081300000009", name="Bu Bea", roles=[Role.RESIDENT])
        Occupancy.objects.create(
            unit=Unit.objects.create(block="B", number="01"),
            resident=Resident.objects.create(name=bea.name, phone=bea.phone, user=bea),
            role="owner",
            start_on=date(2025, 1, 1),
        )
        bea_token, _ = issue_token(user=bea, device_name="test")
    return {
        "data": data,
        "manager": Client(HTTP_AUTHORIZATION=f"Bearer {data.manager_token}"),
        "alpha": Client(HTTP_AUTHORIZATION=f"Bearer {data.resident_token}"),
        "bea": Client(HTTP_AUTHORIZATION=f"Bearer {bea_token}"),
        "media": tmp_path,
    }


def _stored(media: Any) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def test_a_blocks_announcement_carries_its_pdf_and_photo_to_that_block_alone(
    estate, tenant_a
) -> None:
    manager, portal = Client(), Client()
    for client, phone in ((manager, "081300000001"), (portal, "081300000002")):
        client.post("/c/alpha/login", {"username": phone, "password": "x-pass-123"})
    posted = manager.post(
        "/c/alpha/announcements/",
        {
            "title": "Kerja bakti blok B",
            "body": "Jadwal dan denah terlampir.",
            "blocks": ["B"],
            "attachments": [_pdf(), _photo()],
        },
    )
    assert posted.status_code == 302, re.findall(
        r"class=\"error[^>]*>([^<]*)", posted.content.decode()
    )
    with tenant_context(tenant_a):
        announcement = Announcement.objects.get()
        pdf, photo = announcement.attachments.all()
        entry = AuditEntry.objects.get(action="announcement.posted")
    assert (pdf.name, pdf.content_type, pdf.size) == (
        "Jadwal kerja bakti.pdf",
        "application/pdf",
        len(PDF),
    )
    assert (photo.name, photo.content_type) == ("IMG_0001.jpg", "image/jpeg")
    assert entry.details["attached"] == ["Jadwal kerja bakti.pdf", "IMG_0001.jpg"]
    assert all(name.startswith("alpha/attachment/") for name in _stored(estate["media"]))

    listed = estate["bea"].get(f"{BASE}/announcements").json()["data"]
    urls = [attached["url"] for attached in listed[0]["attachments"]]
    download = estate["bea"].get(urls[0])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert "private" in download["Cache-Control"]
    shown = estate["bea"].get(urls[1])
    picture = Image.open(io.BytesIO(b"".join(shown.streaming_content)))
    assert picture.format == "JPEG" and GPS not in picture.getexif()
    assert shown["Content-Disposition"].startswith("inline")
    # Block A's resident neither lists it nor reaches its files, in the API or the portal.
    assert estate["alpha"].get(f"{BASE}/announcements").json()["data"] == []
    assert {estate["alpha"].get(url).status_code for url in urls} == {404}
    assert portal.get(f"/c/alpha/attachments/{pdf.pk}").status_code == 404
    page = manager.get("/c/alpha/announcements/").content.decode()
    assert f'href="/c/alpha/attachments/{pdf.pk}"' in page
    assert f'<img src="/c/alpha/attachments/{photo.pk}"' in page


def test_bad_files_are_refused_and_nothing_is_stored(estate, tenant_a) -> None:
    with tenant_context(tenant_a):
        announcement = Announcement.objects.create(title="T", body="B", posted_at=timezone.now())
    url = f"{BASE}/admin/announcements/{announcement.pk}/attachments"
    too_large = SimpleUploadedFile("besar.pdf", PDF + b"0" * (5 * 1024 * 1024))
    program = SimpleUploadedFile("jadwal.pdf", b"MZ\x90\x00 not a PDF at all")
    for files, code in (
        ([_pdf(), too_large], "attachment_too_large"),
        ([program], "attachment_format"),
    ):
        refused = estate["manager"].post(url, {"files": files})
        assert refused.status_code == 422, refused.content
        assert refused.json()["error"]["details"]["codes"] == {"attachments": [code]}
    six = estate["manager"].post(url, {"files": [_pdf(f"{n}.pdf") for n in range(6)]})
    assert six.status_code == 422
    assert estate["alpha"].post(url, {"files": [_pdf()]}).status_code == 403
    with tenant_context(tenant_a):
        assert not Attachment.objects.exists()
        assert Announcement.objects.get().edited_at is None
    assert _stored(estate["media"]) == []

    five = estate["manager"].post(url, {"files": [_pdf(f"{n}.pdf") for n in range(5)]})
    assert five.status_code == 201 and len(five.json()["data"]["attachments"]) == 5
    assert five.json()["data"]["edited_at"]  # a published announcement shows it was edited
    one_more = estate["manager"].post(url, {"files": [_pdf()]})
    assert one_more.json()["error"]["details"]["codes"] == {"attachments": ["too_many_attachments"]}


def test_a_polls_attachments_change_until_someone_votes(
    estate, tenant_a, django_capture_on_commit_callbacks
) -> None:
    data = estate["data"]
    now = timezone.now()
    with tenant_context(tenant_a):
        poll = create_poll(
            actor=data.manager,
            question="Ganti warna pagar?",
            options=["Hijau", "Abu-abu"],
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=2),
            attachments=[_pdf("Penawaran.pdf")],
        )
    [offer] = estate["bea"].get(f"{BASE}/polls/{poll.pk}").json()["data"]["attachments"]
    assert offer["name"] == "Penawaran.pdf"
    assert b"".join(estate["bea"].get(offer["url"]).streaming_content) == PDF

    added = estate["manager"].post(
        f"{BASE}/admin/polls/{poll.pk}/attachments", {"files": [_photo("Contoh warna.jpg")]}
    )
    assert added.status_code == 201, added.json()
    assert [a["name"] for a in added.json()["data"]["attachments"]] == [
        "Penawaran.pdf",
        "Contoh warna.jpg",
    ]
    with tenant_context(tenant_a):
        alias = current_alias()
    with django_capture_on_commit_callbacks(using=alias, execute=True):
        removed = estate["manager"].delete(f"{BASE}/admin/attachments/{offer['id']}")
    assert removed.status_code == 200
    assert estate["bea"].get(offer["url"]).status_code == 404
    assert "Penawaran" not in str(_stored(estate["media"]))  # its file went with it
    assert estate["bea"].delete(f"{BASE}/admin/attachments/{offer['id']}").status_code == 403

    with tenant_context(tenant_a):
        cast_vote(
            user=data.resident_user, poll=Poll.objects.get(), options=[poll.options.first().pk]
        )
        photo = Attachment.objects.get()
    late = estate["manager"].post(f"{BASE}/admin/polls/{poll.pk}/attachments", {"files": [_pdf()]})
    assert late.status_code == 409
    assert late.json()["error"]["details"]["codes"] == {"detail": ["poll_has_votes"]}
    kept = estate["manager"].delete(f"{BASE}/admin/attachments/{photo.pk}")
    assert kept.status_code == 409
    with tenant_context(tenant_a):
        assert Attachment.objects.count() == 1
        actions = list(
            AuditEntry.objects.filter(action="poll.edited")
            .order_by("pk")
            .values_list("details", flat=True)
        )
    assert [a.get("attached") or a.get("removed") for a in actions] == [
        ["Contoh warna.jpg"],
        ["Penawaran.pdf"],
    ]
