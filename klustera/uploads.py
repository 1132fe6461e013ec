"""Uploaded files: capped while they stream in, photos checked and named by what they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from pillow_heif import register_heif_opener

# iPhones take HEIC photos. Pillow reads them once pillow-heif is registered: here, as this
# module is imported before any upload is read (its handler caps every upload).
register_heif_opener()

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# What Pillow says a photo is → the extension it is stored under, whatever its name said.
PHOTO_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Formats browsers do not show: taken only where the photo is drawn again as a JPEG.
CONVERTED = {"HEIF"}


class CappedUploadHandler(FileUploadHandler):
    """Refuses a multipart body past ``UPLOAD_MAX_BYTES`` as it arrives, before it is spooled.

    First in ``FILE_UPLOAD_HANDLERS``: it counts every chunk and passes it on
    to the handlers that store it.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        if content_length > settings.UPLOAD_MAX_BYTES:
            raise RequestDataTooBig("The upload is larger than the limit.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:  # a body longer than it said
            raise RequestDataTooBig("The upload is larger than the limit.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def check_photo(image: Any, *, converted: bool = False) -> Any:
    """A photo of at most 5 MB in a format browsers show (or, when it is to be ``converted``,
    an iPhone's HEIC); renamed to its real format.

    ``image`` is an uploaded file that Django's image field has opened (it
    carries ``image.image``, Pillow's view of it).
    """
    if image.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB."), code="photo_too_large")
    detected = str(getattr(getattr(image, "image", None), "format", None))
    extension = PHOTO_EXTENSIONS.get(detected) or (
        "heic" if converted and detected in CONVERTED else None
    )
    if extension is None:
        raise ValidationError(_("Send a JPEG, PNG or WebP photo."), code="photo_format")
    image.name = f"photo.{extension}"
    return image


def clean_photo(image: Any, *, longest: int = 2048, thumbnail: int = 320) -> tuple[Any, Any]:
    """A checked photo drawn again without its metadata, and its thumbnail, both JPEG.

    Phones write where and when a photo was taken into its EXIF (GPS is personal data):
    re-encoding keeps only the pixels, turned upright first as the EXIF said. Very large
    photos are scaled down to ``longest`` pixels on their longest side; an iPhone's HEIC
    becomes a JPEG like the rest.
    """
    from io import BytesIO

    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps

    check_photo(image, converted=True)
    image.seek(0)
    with Image.open(image) as opened:
        upright = ImageOps.exif_transpose(opened).convert("RGB")
    upright.thumbnail((longest, longest))
    small = upright.copy()
    small.thumbnail((thumbnail, thumbnail))
    files = []
    for picture in (upright, small):
        out = BytesIO()
        picture.save(out, "JPEG", quality=85, optimize=True)  # no exif= given: none written
        files.append(ContentFile(out.getvalue(), name="photo.jpg"))
    return files[0], files[1]


def clean_photos(images: list[Any]) -> list[tuple[Any, Any]]:
    """:func:`clean_photo` for each of a form's ``photos``; the first bad one refuses all."""
    cleaned = []
    for image in images:
        try:
            cleaned.append(clean_photo(image))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    return cleaned


def clean_attachment(upload: Any) -> tuple[Any, str, str]:
    """A PDF or a photo of at most 5 MB: the file to store, its content type and the name to
    show. A PDF (told by its first bytes, not its name) is kept as sent; a photo becomes a
    JPEG without its metadata, as :func:`clean_photo` does; anything else is refused."""
    from django import forms
    from django.core.files.base import ContentFile

    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."), code="attachment_too_large")
    stem = Path(str(upload.name or "file")).stem[:100] or "file"
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return ContentFile(upload.read(), name="file.pdf"), "application/pdf", f"{stem}.pdf"
    try:
        image = forms.ImageField().to_python(upload)  # Pillow opens and verifies it
        photo, _thumbnail = clean_photo(image)
    except ValidationError:
        raise ValidationError(
            _("Attach a PDF or a photo (JPEG, PNG, WebP or HEIC)."), code="attachment_format"
        ) from None
    return photo, "image/jpeg", f"{stem}.jpg"


def serve_file(stored: Any, *, content_type: str, filename: str) -> Any:
    """A stored file, to someone already checked: a photo is shown, anything else downloaded;
    kept by the browser alone, never by a shared cache."""
    from django.http import FileResponse

    response = FileResponse(
        stored.open("rb"),
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=filename,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
