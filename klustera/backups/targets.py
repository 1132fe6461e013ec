"""Where backups go: a folder (the embedded default; mount another disk or machine there).

A backup's files are written under a temporary name and renamed once complete, and its
manifest is written last: an interrupted backup never looks like a good one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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


def backup_target() -> FolderTarget:
    """The target ``BACKUP_TARGET_URL`` names (``file:///path``)."""
    parts = urlsplit(settings.BACKUP_TARGET_URL)
    if parts.scheme != "file" or not parts.path:
        url = settings.BACKUP_TARGET_URL
        raise ImproperlyConfigured(f"BACKUP_TARGET_URL must name a folder (file:///…), not {url!r}")
    return FolderTarget(Path(parts.path))
