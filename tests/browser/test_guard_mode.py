"""Journey: a resident invites a guest, the guard scans the guest's QR with the tablet's
camera in guard mode, and the entry is in the manager's access log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.conftest import (
    PAGE_WEIGHT_LIMIT,
    LiveApp,
    choose_language,
    launch,
    qr_video,
    record_page_weight,
    screenshot,
    sign_in,
    transferred,
)

VERDICTS = {"id": ("Boleh masuk", "Tidak boleh masuk"), "en": ("Allowed in", "Not allowed")}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_guard_scans_a_guests_qr_and_the_manager_sees_the_entry(
    live_app: LiveApp, playwright_session, tmp_path: Path, language: str
) -> None:
    guest = f"Pak Hendra {language.upper()}"
    with live_app.api("resident") as resident:
        unit = resident.get("units").json()["data"][0]["id"]
        now = timezone.now()
        invited = resident.post(
            "guests/register",
            json={
                "unit": unit,
                "guest_name": guest,
                "people": 2,
                "starts_at": now.isoformat(),
                "ends_at": (now + timedelta(hours=3)).isoformat(),
            },
        )
        assert invited.status_code == 201, invited.text
        code = invited.json()["data"]["code"]
    allowed, refused = VERDICTS[language]

    browser = launch(playwright_session, camera=qr_video(code, tmp_path / "qr.y4m"))
    try:
        page = browser.new_page(viewport={"width": 800, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_app, "guard")
        choose_language(page, language)
        page.goto(f"{live_app.base}/gate/")
        page.click("#scan")
        verdict = page.wait_for_selector(".verdict", timeout=20_000)
        assert "allowed" in (verdict.get_attribute("class") or "")
        assert allowed in verdict.inner_text() and guest in verdict.inner_text()
        page.wait_for_selector(f"#activity :text('{guest}')")  # the recent checks refresh
        # The heaviest page: guard mode with the fallback QR decoder loaded.
        weight = transferred(page)
        record_page_weight("guard mode (with jsQR)", weight)
        assert weight < PAGE_WEIGHT_LIMIT
        screenshot(page, f"guard-mode-scan-{language}")
        # The same code typed again, as another gate might: single use, refused.
        page.fill("#payload", code.lower())
        page.click("#check button[type=submit]")
        page.wait_for_selector(".verdict.refused")
        assert refused in page.locator(".verdict").inner_text()
        # No script error, and nothing the Content-Security-Policy had to block.
        assert problems == []

        # The manager finds both checks in the access log.
        manager = browser.new_context().new_page()
        sign_in(manager, live_app, "manager")
        choose_language(manager, language)
        manager.goto(f"{live_app.base}/manage/access-log/?kind=guest_entry")
        rows = [row for row in manager.locator("tbody tr").all_inner_texts() if guest in row]
        assert len(rows) == 2 and "Gerbang Utama" in rows[0]
        screenshot(manager, f"manager-access-log-{language}")
    finally:
        browser.close()


def test_the_guard_scans_a_residents_pass_from_the_camera(
    live_app: LiveApp, playwright_session, tmp_path: Path
) -> None:
    with live_app.api("resident") as resident:
        token = resident.get("access/pass").json()["data"]["token"]
    camera = qr_video(token, tmp_path / "pass.y4m", width=800, height=640)  # a signed name too
    browser = launch(playwright_session, camera=camera)
    try:
        page = browser.new_page(viewport={"width": 360, "height": 780})  # a guard's phone
        sign_in(page, live_app, "guard")
        page.goto(f"{live_app.base}/gate/")
        page.click("#scan")
        verdict = page.wait_for_selector(".verdict", timeout=20_000)
        assert "allowed" in (verdict.get_attribute("class") or "")
        assert "Siti Rahmawati" in verdict.inner_text()
        screenshot(page, "guard-mode-pass-phone")
    finally:
        browser.close()
