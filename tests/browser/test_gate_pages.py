"""Journeys at the gate on 360 px phones in Indonesian: a guard registers a walk-in with a
photo and the resident lets them in from their page; the guard logs a parcel with a photo and
hands it over, then logs the visitor's exit; a resident invites a guest and shares the code."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in


def _phone(browser: Any, problems: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def _camera_photo() -> dict[str, Any]:
    """What a phone's camera hands the file input."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(out, "JPEG")
    return {"name": "camera.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_a_walk_in_a_parcel_and_an_exit(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="id-ID")
    problems: list[str] = []
    try:
        guard, resident = _phone(browser, problems), None
        sign_in(guard, live_app, "guard", "id")
        guard.click(".tab-bar a[href$='/gate/walk-in']")
        guard.fill("input[name=unit]", "A-01")
        guard.fill("input[name=visitor_name]", "Pak Joko")
        guard.fill("input[name=purpose]", "Servis AC")
        assert guard.get_attribute("input[name=photo]", "capture") == "environment"
        guard.set_input_files("input[name=photo]", files=[_camera_photo()])
        guard.click("main form button[type=submit]")
        assert "Pak Joko menunggu" in guard.inner_text(".toasts")

        resident = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
        resident.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        sign_in(resident, live_app, "resident", "id")
        resident.goto(f"{live_app.base}/guests/")
        card = resident.locator("#walk-ins .proof", has_text="Pak Joko")
        card.locator("button[value='1']").click()
        assert "Pak Joko boleh masuk" in resident.inner_text(".toasts")

        guard.click(".tab-bar a[href$='/gate/parcels/']")
        guard.fill("input[name=unit]", "A-01")
        guard.fill("input[name=recipient_name]", "Bu Siti")
        guard.fill("input[name=courier]", "JNE")
        guard.set_input_files("input[name=photo]", files=[_camera_photo()])
        guard.click("main form[enctype] button[type=submit]")
        assert "Paket untuk Bu Siti dicatat" in guard.inner_text(".toasts")
        resident.goto(f"{live_app.base}/guests/")
        assert "Bu Siti" in resident.inner_text("#parcels")
        row = guard.locator(".proof", has_text="Bu Siti")
        row.locator("input[name=collected_by]").fill("Pak RT")
        row.locator("button").click()
        assert "diserahkan kepada Pak RT" in guard.inner_text(".toasts")

        guard.click(".tab-bar a[href$='/gate/inside/']")
        guard.locator("tr", has_text="Pak Joko").locator("button").click()
        assert "Keluar dicatat untuk Pak Joko" in guard.inner_text(".toasts")
        for page in (guard, resident):
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(guard, "guard-inside-360px")
        assert problems == []
    finally:
        browser.close()


def test_a_resident_shares_a_guest_code_on_whatsapp(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="id-ID")
    problems: list[str] = []
    try:
        page = _phone(browser, problems)
        sign_in(page, live_app, "resident", "id")
        page.goto(f"{live_app.base}/guests/")
        page.fill("input[name=guest_name]", "Bu Ani")
        page.fill("input[name=guest_phone]", "0812 3456 7890")
        page.click("#invite button[type=submit]")
        code = page.inner_text("#code")
        share = page.get_attribute("#share-whatsapp", "href") or ""
        assert share.startswith("https://wa.me/6281234567890?text=Halo+Bu+Ani")
        assert code.replace(" ", "+") in share or code.replace(" ", "%20") in share
        assert page.locator("img.pass-qr").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "resident-share-guest-code-360px")
        assert problems == []
    finally:
        browser.close()
