"""Where backups go: a folder (the embedded default; mount another disk or machine there) or
an S3-compatible bucket in another region.

A backup's files are written under a temporary name and renamed once complete, and its
manifest is written last: an interrupted backup never looks like a good one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from klustera.objectstore import s3_options


class FolderTarget:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"{key!r} is outside the backup target")
        return path

    def put(self, key: str, source: Path) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        shutil.copyfile(source, partial)
        os.replace(partial, path)

    def put_bytes(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)

    def get(self, key: str, destination: Path) -> None:
        shutil.copyfile(self._path(key), destination)

    def read_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def folders(self, prefix: str = "") -> list[str]:
        """The names of the folders directly under ``prefix``."""
        base = self._path(prefix) if prefix else self.root
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []

    def delete_folder(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)


class BucketTarget:
    """A bucket of an S3-compatible store, best in another region than the servers. An object
    appears only once its upload completed, so a backup is complete once its manifest is there.
    Every request is retried with exponential backoff (``BACKUP_UPLOAD_ATTEMPTS``) before the
    backup fails; earlier backups are never touched by a failed one."""

    def __init__(self, url: str) -> None:
        options = s3_options(url)
        self.bucket = options["bucket_name"]
        self.prefix = f"{options['location']}/" if options["location"] else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=options["endpoint_url"],
            region_name=options["region_name"],
            aws_access_key_id=options.get("access_key"),
            aws_secret_access_key=options.get("secret_key"),
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": options.get("addressing_style", "auto")},
                retries={"mode": "standard", "max_attempts": settings.BACKUP_UPLOAD_ATTEMPTS},
                connect_timeout=10,
                read_timeout=120,
            ),
        )

    def _key(self, key: str) -> str:
        if ".." in key.split("/"):
            raise ValueError(f"{key!r} is outside the backup target")
        return self.prefix + key

    def put(self, key: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str, destination: Path) -> None:
        self.client.download_file(self.bucket, self._key(key), str(destination))

    def read_bytes(self, key: str) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        return bytes(body.read())

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def folders(self, prefix: str = "") -> list[str]:
        under = self._key(f"{prefix}/") if prefix else self.prefix
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=under, Delimiter="/"
        )
        return sorted(
            common["Prefix"][len(under) :].rstrip("/")
            for page in pages
            for common in page.get("CommonPrefixes", [])
        )

    def delete_folder(self, prefix: str) -> None:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(f"{prefix}/")
        )
        for page in pages:
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})


def backup_target() -> FolderTarget | BucketTarget:
    """The target ``BACKUP_TARGET_URL`` names: ``file:///path`` or ``s3://bucket/prefix?…``."""
    url = settings.BACKUP_TARGET_URL
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return BucketTarget(url)
    if parts.scheme != "file" or not parts.path:
        raise ImproperlyConfigured(
            f"BACKUP_TARGET_URL must name a folder (file:///…) or a bucket (s3://…), not {url!r}"
        )
    return FolderTarget(Path(parts.path))
