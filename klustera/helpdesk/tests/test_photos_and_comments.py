"""Photos lose their metadata (GPS) but keep their orientation, get a thumbnail and are
capped at five; an iPhone's HEIC becomes a JPEG; internal notes stay among staff and
managers."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import ImageField
from PIL import Image

from klustera.accounts.tests.factories import UserFactory
from klustera.helpdesk.models import Category
from klustera.helpdesk.selectors import comments_for, tickets_visible_to
from klustera.helpdesk.services import add_comment, add_photos, file_ticket, route_ticket
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from klustera.uploads import check_photo
from tests.seed import seed_complex

GPS = 0x8825  # the EXIF tag of the GPS block


def phone_photo(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    """A portrait photo as a phone stores it: pixels sideways, EXIF saying so, and GPS."""
    picture = Image.new("RGB", (400, 300), "white")
    picture.paste((200, 0, 0), (0, 0, 40, 300))  # a red band on the left of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to view
    exif[GPS] = {1: "S", 2: (6.0, 14.0, 0.0), 3: "E", 4: (106.0, 49.0, 0.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    upload = SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
    return ImageField().clean(upload)  # what a form or the API hands the service


@pytest.fixture
def ticket(tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = seed_complex(tenant_a, marker="alpha")
    with tenant_context(tenant_a):
        made = file_ticket(
            actor=data.resident_user,
            category=Category.objects.get(name="Kebersihan"),
            title="Sampah menumpuk",
            description="Di pojok blok A.",
        )
    return data, made


def test_a_photo_loses_its_gps_keeps_its_orientation_and_gets_a_thumbnail(ticket, tenant_a) -> None:
    data, made = ticket
    with tenant_context(tenant_a):
        [photo] = add_photos(
            ticket=made, images=[phone_photo()], actor=data.resident_user, kind="problem"
        )
        with photo.image.open("rb") as stored:
            full = Image.open(io.BytesIO(stored.read()))
            full.load()
        with photo.thumbnail.open("rb") as stored:
            small = Image.open(io.BytesIO(stored.read()))
            small.load()
    assert full.format == "JPEG" and GPS not in full.getexif() and not full.getexif()
    assert full.size == (300, 400)  # upright: the portrait the phone showed
    assert full.getpixel((150, 5))[0] > 150  # the red band is now along the top
    assert max(small.size) == 320 and small.size[0] < small.size[1]
    assert photo.image.name.startswith("alpha/ticketphoto/")


def test_an_iphone_heic_becomes_a_jpeg_only_where_it_is_drawn_again(ticket, tenant_a) -> None:
    data, made = ticket
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "blue").save(out, "HEIF")
    heic = ImageField().clean(SimpleUploadedFile("IMG_0002.HEIC", out.getvalue(), "image/heic"))
    with tenant_context(tenant_a):
        [photo] = add_photos(ticket=made, images=[heic], actor=data.resident_user, kind="problem")
        with photo.image.open("rb") as stored:
            full = Image.open(io.BytesIO(stored.read()))
            full.load()
    assert full.format == "JPEG" and full.size == (640, 480)
    heic.seek(0)
    with pytest.raises(ValidationError, match="JPEG, PNG"):
        check_photo(heic)  # a file kept as sent (a transfer proof) must be one browsers show


def test_photos_are_checked_and_capped_at_five_all_or_none(ticket, tenant_a) -> None:
    data, made = ticket
    with tenant_context(tenant_a):
        not_a_photo = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        with pytest.raises(ValidationError):
            ImageField().clean(not_a_photo)  # refused before the service (a 422 on the field)
        add_photos(
            ticket=made,
            images=[phone_photo() for _ in range(4)],
            actor=data.resident_user,
            kind="problem",
        )
        with pytest.raises(ValidationError) as sixth:
            add_photos(
                ticket=made,
                images=[phone_photo(), phone_photo()],
                actor=data.resident_user,
                kind="problem",
            )
        assert "photos" in sixth.value.message_dict
        assert made.photos.count() == 4  # the refused pair left nothing behind


def test_internal_notes_stay_among_staff_and_managers(ticket, tenant_a) -> None:
    data, made = ticket
    with tenant_context(tenant_a):
        fixer = UserFactory(phone="081300000051", roles=[Role.CLEANING_STAFF])
        outsider = UserFactory(phone="081300000052", roles=[Role.FACILITY_STAFF])
        route_ticket(ticket=made, queue=Role.CLEANING_STAFF, actor=data.manager)
        add_comment(ticket=made, actor=data.manager, body="Cek besok pagi", internal=True)
        asked = add_comment(ticket=made, actor=fixer, body="Pojok yang mana?", question=True)
        add_comment(ticket=made, actor=data.resident_user, body="Dekat pos satpam")
        with pytest.raises(PermissionDenied):
            add_comment(ticket=made, actor=data.resident_user, body="x", internal=True)
        with pytest.raises(ValidationError):
            add_comment(ticket=made, actor=fixer, body="  ")
        made.refresh_from_db()
        assert made.first_response_at == asked.created_at  # staff's question answered first
        resident_sees = list(comments_for(data.resident_user, made).values_list("body", flat=True))
        assert resident_sees == ["Pojok yang mana?", "Dekat pos satpam"]
        assert comments_for(fixer, made).count() == 3
        assert made in tickets_visible_to(fixer)  # in their queue, unassigned
        assert made not in tickets_visible_to(outsider)  # another role's queue: not found
        assert made in tickets_visible_to(data.resident_user)
        assert made not in tickets_visible_to(
            UserFactory(phone="081300000053", roles=[Role.RESIDENT])
        )
