"""The installable app's manifest opens each role where they work; the service worker is
the complex's own, never cached by HTTP, and changes version when a file of the shell does."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from klustera.accounts.services import create_user
from klustera.portal import pwa
from klustera.roles import Role
from klustera.tenancy.context import tenant_context
from tests.pages import PASSWORD


@pytest.mark.parametrize(
    ("role", "start"),
    [
        (Role.SECURITY_STAFF, "/c/alpha/gate/"),
        (Role.CLEANING_STAFF, "/c/alpha/tasks/"),
        (Role.FACILITY_STAFF, "/c/alpha/tasks/"),
        (Role.RESIDENT, "/c/alpha/"),
        (Role.PROPERTY_MANAGER, "/c/alpha/"),
    ],
)
def test_the_app_opens_where_each_role_works(tenant_a, role: str, start: str) -> None:
    with tenant_context(tenant_a):
        create_user(phone="081300000031", name="Pak Budi", password=PASSWORD, roles=[role])
    browser = Client()
    browser.post("/c/alpha/login", {"username": "081300000031", "password": PASSWORD})
    response = browser.get("/c/alpha/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == start and manifest["scope"] == "/c/alpha/"
    assert manifest["name"].startswith(tenant_a.name)
    assert [icon["src"].rsplit("/", 1)[-1] for icon in manifest["icons"]] == [
        "icon-192.png",
        "icon-512.png",
        "maskable-512.png",
    ]


def _worker(client: Client) -> Any:
    response = client.get("/c/alpha/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    return response.content.decode()


def test_the_worker_is_the_complexs_and_changes_with_the_shell(tenant_a, monkeypatch) -> None:
    client = Client()
    worker = _worker(client)
    version = re.search(r'const VERSION = "(\w+)"', worker)
    assert version is not None
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker).group(1))  # type: ignore[union-attr]
    assert "/c/alpha/offline" in shell and "/static/klustera/app.js" in shell
    pages = json.loads(re.search(r"const PAGES = (\[.*?\]);", worker).group(1))  # type: ignore[union-attr]
    assert "/c/alpha/gate/" in pages and "/c/alpha/manage/units/" not in pages
    assert _worker(client) == worker  # the same files: the same worker, nothing reinstalls

    monkeypatch.setattr(pwa, "SHELL", [*pwa.SHELL, "klustera/map.js"])

    assert f'const VERSION = "{version.group(1)}"' not in _worker(client)


def test_the_offline_page_says_what_still_works(tenant_a) -> None:
    page = Client().get("/c/alpha/offline", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "guard mode" in page.content.decode()
