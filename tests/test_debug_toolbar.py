"""django-debug-toolbar: on every page in development (DEBUG=1), never otherwise."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]

DEVELOPMENT = """
import os, re, django
django.setup()
from django.core.management import call_command
from django.test import Client
from klustera.tenancy.services import NewManager, provision_tenant

call_command("migrate", verbosity=0)
provision_tenant(name="Dev", slug="dev", manager=NewManager("081100000011", "M", "dev-pass-123"))
client = Client()
client.post("/c/dev/login", {"username": "081100000011", "password": "dev-pass-123"})
page = client.get("/c/dev/units/")
print(page.status_code, "djDebug" in page.content.decode())
print(re.findall(r"<small>(\\d+) queries in", page.content.decode()))
"""


def test_the_toolbar_shows_a_complex_pages_queries_in_development(tmp_path) -> None:
    env = {
        **os.environ,
        "DEBUG": "1",
        "KLUSTERA_ENV": "development",
        "KLUSTERA_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "klustera.settings",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "TENANT_DATABASE_URL", "REDIS_URL", "PYTEST_VERSION"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", DEVELOPMENT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    status, queries = done.stdout.strip().splitlines()[-2:]
    assert status == "200 True"
    assert int(re.findall(r"\d+", queries)[0]) > 0  # the complex's queries, counted


def test_no_toolbar_outside_development() -> None:
    assert not settings.DEBUG_TOOLBAR
    assert "debug_toolbar" not in settings.INSTALLED_APPS
    assert not any("debug_toolbar" in m for m in settings.MIDDLEWARE)
