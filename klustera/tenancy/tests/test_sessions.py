"""One complex's page, another complex's page or the platform's favicon never sign you out."""

from __future__ import annotations

from django.test import Client

from tests.seed import seed_complex


def _signed_in(client: Client, slug: str) -> bool:
    return client.get(f"/c/{slug}/profile").status_code == 200


def test_each_complex_keeps_its_own_session(tenant_a, tenant_b) -> None:
    seed_complex(tenant_a, marker="alpha")
    seed_complex(tenant_b, marker="beta")
    browser = Client()
    signed_in = browser.post(
        "/c/alpha/login", {"username": "081300000001", "password": "x-pass-123"}
    )
    assert signed_in.status_code == 302
    cookie = signed_in.cookies["sessionid_alpha"]
    assert cookie.value and "sessionid" not in signed_in.cookies

    # A PDF opened in Chromium makes it ask for the host's /favicon.ico: the platform's scope.
    icon = browser.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("favicon.svg")
    assert not icon.cookies  # nothing set, nothing deleted
    # Another complex's pages, signed out there, and its sign-in: alpha's session stays.
    assert browser.get("/c/beta/profile").status_code == 302
    browser.post("/c/beta/login", {"username": "081300000001", "password": "x-pass-123"})
    assert _signed_in(browser, "beta") and _signed_in(browser, "alpha")
    # Signing out of beta signs out of beta only.
    browser.post("/c/beta/logout")
    assert not _signed_in(browser, "beta") and _signed_in(browser, "alpha")
