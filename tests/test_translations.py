"""Every string of the user interface has its Indonesian: `makemessages` run on the sources
as they are finds nothing untranslated and nothing fuzzy (a guess gettext made from another
string, which would show the wrong words)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IGNORE = ("--ignore", "*/tests/*")  # as `make messages` runs it


def _entries(output: str) -> list[str]:
    """The msgids of a PO file's entries, the header (the empty msgid) left out."""
    return [
        line.removeprefix("msgid ")
        for line in output.splitlines()
        if line.startswith("msgid ") and line != 'msgid ""'
    ]


def test_makemessages_finds_no_untranslated_or_fuzzy_entry(tmp_path: Path) -> None:
    if shutil.which("msgattrib") is None:
        pytest.fail("GNU gettext is needed (apt-get install gettext)")
    copy = tmp_path / "klustera"
    shutil.copytree(
        ROOT / "klustera",
        copy,
        ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"),
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "klustera.settings"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "id", "--no-location", *IGNORE],
        cwd=tmp_path,  # not inside the package: its `platform` app would shadow the stdlib
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    po = copy / "locale" / "id" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert _entries(untranslated) == [], "untranslated: run `make messages` and translate"
    assert _entries(fuzzy) == [], "fuzzy: check these translations and remove the flag"
