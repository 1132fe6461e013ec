"""Journey: on a 360 px phone in Indonesian a resident opens their account, sends the photo of
a transfer, and sees it waiting for review next to their statement."""

from __future__ import annotations

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in
from tests.browser.test_gate_pages import _camera_photo


def test_a_resident_sends_a_transfer_proof(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="id-ID")
    try:
        page = browser.new_page(viewport={"width": 360, "height": 780})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        sign_in(page, live_app, "resident", "id")
        page.click(".tab-bar summary")
        page.click(".menu-sheet a[href$='/account/']")
        assert page.locator("#statement tbody tr").count() > 0
        page.fill("#proof input[name=amount]", "Rp 150.000")
        page.fill("#proof input[name=bank]", "BCA a.n. Siti")
        page.set_input_files("#proof input[name=image]", files=[_camera_photo()])
        page.click("#proof button[type=submit]")
        assert "Bukti terkirim" in page.inner_text(".toasts")
        assert "Rp 150.000" in page.locator(".proof").first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "resident-account-360px")
        assert problems == []
    finally:
        browser.close()
