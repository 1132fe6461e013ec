"""Passkeys on a resident's 360 px phone, with Chromium's virtual authenticator (WebAuthn
through the DevTools protocol): one is added in the profile, signs in in place of the password,
and the same credential is refused by another complex on the same host."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from tests.browser.conftest import LOGINS, PASSWORD, LiveApp, launch, screenshot


def _second_complex(app: LiveApp) -> str:
    """Another complex on the same server (and so the same passkey relying party)."""
    env = {**os.environ, "KLUSTERA_VAR_DIR": str(app.log.parent)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "klustera", "tenants", "create", "--name", "Taman Kedua"]
    command += ["--slug", "taman-kedua", "--manager-phone", "081199990001"]
    command += ["--manager-password", "kedua-rahasia-1"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    return "taman-kedua"


def _phone_with_an_authenticator(browser: Any, problems: list[str]) -> Any:
    """A 360 px phone with a platform authenticator (a fingerprint) that always agrees."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    cdp: Any = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page


def _sign_in_and_add_a_passkey(page: Any, base: str, who: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", LOGINS[who])
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.click(".language-switcher button[value=en]")
    page.wait_for_load_state()
    page.goto(f"{base}/profile")
    card = page.locator("#passkeys")
    assert "No passkey yet" in card.inner_text()
    card.locator("input[name=name]").fill("My phone")
    card.locator("[data-add] button").click()
    page.wait_for_selector("#passkeys td:has-text('My phone')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_passkey_signs_in_here_and_nowhere_else(live_app: LiveApp, playwright_session) -> None:
    # WebAuthn needs a host name, not an address: the same server, reached as localhost.
    root = live_app.root.replace("127.0.0.1", "localhost")
    base = live_app.base.replace("127.0.0.1", "localhost")
    browser = launch(playwright_session, language="en-US")
    problems: list[str] = []
    try:
        page = _phone_with_an_authenticator(browser, problems)
        _sign_in_and_add_a_passkey(page, base, "resident")
        screenshot(page, "passkeys-profile-phone")

        with page.expect_navigation():
            page.click("header [data-sign-out] button")
        page.goto(f"{base}/login?next=/c/graha-indah/invoices/")
        page.click("#passkey-sign-in button")
        page.wait_for_url(f"{base}/invoices/")
        assert page.locator("header [data-sign-out]").is_visible()  # signed in, no password

        other = _second_complex(live_app)
        with page.expect_navigation():
            page.click("header [data-sign-out] button")
        page.goto(f"{root}/c/{other}/login")
        page.click("#passkey-sign-in button")
        refusal = page.locator("#passkey-sign-in [data-message]")
        refusal.wait_for()
        assert "not known here" in refusal.inner_text()
        assert page.url.endswith("/login")
        screenshot(page, "passkey-refused-elsewhere")
        assert not [p for p in problems if "401" not in p], problems
    finally:
        browser.close()


def test_a_locked_gate_tablet_opens_with_the_guards_passkey_and_pin(
    live_app: LiveApp, playwright_session
) -> None:
    base = live_app.base.replace("127.0.0.1", "localhost")
    manager = live_app.api("manager")
    assert manager.patch("admin/access/settings", json={"tablet_lock": True}).status_code == 200
    browser = launch(playwright_session, language="en-US")
    problems: list[str] = []
    try:
        page = _phone_with_an_authenticator(browser, problems)
        _sign_in_and_add_a_passkey(page, base, "guard")
        page.goto(f"{base}/gate/")
        lock = page.locator("#gate-lock")
        assert "Start your shift" in lock.inner_text()
        assert not page.locator("#check").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "gate-lock-phone")

        lock.locator("input[name=pin]").fill("12")
        lock.locator("button[type=submit]").click()  # the browser's own check: 4 to 8 digits
        assert page.locator("#gate-lock").is_visible()
        lock.locator("input[name=pin]").fill("482916")
        lock.locator("button[type=submit]").click()
        page.wait_for_selector("#check", state="visible")
        assert not page.locator("#gate-lock").count()

        page.fill("#payload", "ZZZZ ZZZZ")
        page.click("#check button[type=submit]")
        page.wait_for_selector("#answer .verdict.refused")
        assert not problems, problems
    finally:
        manager.patch("admin/access/settings", json={"tablet_lock": False})
        browser.close()
