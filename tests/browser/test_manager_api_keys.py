"""Journey: a manager makes an API key on a phone, an accounting system uses it, the manager
revokes it and it stops working; in Indonesian at 360 px and in English on a laptop."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import LiveApp, choose_language, launch, screenshot, sign_in


@pytest.mark.parametrize(
    "width,language", [(360, "id"), (1280, "en")], ids=["phone-360px-id", "laptop-en"]
)
def test_a_manager_makes_uses_and_revokes_an_api_key(
    live_app: LiveApp, playwright_session, width: int, language: str
) -> None:
    browser = launch(playwright_session)
    try:
        page = browser.new_page(viewport={"width": width, "height": 800})
        problems: list[str] = []  # console errors, CSP violations among them
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_app, "manager")
        choose_language(page, language)
        page.goto(f"{live_app.base}/manage/api-keys/")
        name = f"Akuntansi {width}"
        page.fill("input[name=name]", name)
        page.select_option("select[name=scope]", "billing")
        page.click("#new-key-form button[type=submit]")
        key = page.input_value("#new-key")
        assert key.startswith("graha-indah.key_")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        screenshot(page, f"manager-api-key-{width}px")

        accounting = httpx.Client(headers={"Authorization": f"Bearer {key}"})
        assert accounting.get(f"{live_app.base}/api/v1/admin/invoices").status_code == 200
        assert accounting.get(f"{live_app.base}/api/v1/admin/access-logs").status_code == 403

        page.goto(f"{live_app.base}/manage/api-keys/")
        assert key not in page.content()  # shown once
        row = page.locator(f"tr:has-text('{name}')")
        row.locator(".confirm > button").click()
        page.wait_for_selector("dialog[open]")
        page.click("dialog[open] button.danger")
        page.wait_for_selector(".toasts .notice")
        assert accounting.get(f"{live_app.base}/api/v1/admin/invoices").status_code == 401
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert problems == []
    finally:
        browser.close()
