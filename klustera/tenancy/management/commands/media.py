"""``klustera media migrate``: the local media files into the bucket of MEDIA_STORAGE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from storages.backends.s3 import S3Storage

from klustera.tenancy.files import MediaCopyFailed, copy_media


class Command(BaseCommand):
    help = "Copy local media files into the object storage bucket (resumable, verified)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        migrate = sub.add_parser("migrate", help="Copy the local media folder into the bucket.")
        migrate.add_argument(
            "--from", dest="source", default=str(settings.MEDIA_ROOT), help="(MEDIA_ROOT)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bucket = storages["default"]
        if not isinstance(bucket, S3Storage):
            raise CommandError("MEDIA_STORAGE_URL names no bucket: the files are served from disk.")
        source = Path(options["source"])
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        try:
            done = copy_media(source, bucket)
        except MediaCopyFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{done.copied} file(s) copied ({done.size:,} bytes), {done.skipped} already there."
        )
