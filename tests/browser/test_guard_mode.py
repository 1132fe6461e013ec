"""Journey: a resident invites a guest, the guard scans the guest's QR with the tablet's
camera in guard mode, and the entry is in the manager's access log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from tests.browser.conftest import LiveApp, launch, qr_video, screenshot, sign_in


def test_the_guard_scans_a_guests_qr_and_the_manager_sees_the_entry(
    live_app: LiveApp, playwright_session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with live_app.api("resident") as resident:
        unit = resident.get("units").json()["data"][0]["id"]
        now = timezone.now()
        invited = resident.post(
            "guests/register",
            json={
                "unit": unit,
                "guest_name": "Pak Hendra",
                "people": 2,
                "starts_at": now.isoformat(),
                "ends_at": (now + timedelta(hours=3)).isoformat(),
            },
        )
        assert invited.status_code == 201, invited.text
        code = invited.json()["data"]["code"]

    browser = launch(playwright_session, camera=qr_video(code, tmp_path / "qr.y4m"))
    try:
        page = browser.new_page(viewport={"width": 800, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_app, "guard")
        page.goto(f"{live_app.base}/gate/")
        page.click("#scan")
        verdict = page.wait_for_selector(".verdict", timeout=20_000)
        assert "allowed" in (verdict.get_attribute("class") or "")
        assert "Pak Hendra" in verdict.inner_text()
        page.wait_for_selector("#activity :text('Pak Hendra')")  # the recent checks refresh
        screenshot(page, "guard-mode-scan")
        # The same code typed again, as another gate might: single use, refused.
        page.fill("#payload", code.lower())
        page.click("#check button[type=submit]")
        page.wait_for_selector(".verdict.refused")
        # No script error, and nothing the Content-Security-Policy had to block.
        assert problems == []
    finally:
        browser.close()

    with live_app.api("manager") as manager:
        logs = manager.get("admin/access-logs", params={"kind": "guest_entry"}).json()["data"]
    entries = [
        (log["who"], log["result"], log["gate"]) for log in logs if log["who"] == "Pak Hendra"
    ]
    assert entries == [
        ("Pak Hendra", "used", "Gerbang Utama"),
        ("Pak Hendra", "valid", "Gerbang Utama"),
    ]


def test_the_guard_scans_a_residents_pass_from_the_camera(
    live_app: LiveApp, playwright_session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with live_app.api("resident") as resident:
        token = resident.get("access/pass").json()["data"]["token"]
    browser = launch(playwright_session, camera=qr_video(token, tmp_path / "pass.y4m"))
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
