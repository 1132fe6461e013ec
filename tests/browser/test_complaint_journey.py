"""Journey: a resident files a complaint with a photo on a 360 px phone → the manager assigns
it on a laptop, in English → the facility technician starts it, adds a photo of the work and
resolves it on a phone → the resident rates it and closes it → the manager's queue shows it
done, and the helpdesk report counts it and its rating, in English."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in
from tests.browser.test_gate_pages import _camera_photo


def _page(browser: Any, width: int, problems: list[str]) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def test_a_complaint_from_a_phone_to_done(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="id-ID")
    problems: list[str] = []
    try:
        resident = _page(browser, 360, problems)
        sign_in(resident, live_app, "resident", "id")
        resident.goto(f"{live_app.base}/complaints/")
        resident.select_option("select[name=category]", label="Fasilitas umum")
        resident.fill("input[name=title]", "Pintu pagar macet")
        resident.fill("textarea[name=description]", "Pintu pagar blok A susah dibuka.")
        resident.set_input_files("input[name=photos]", files=[_camera_photo()])
        resident.click("#file-complaint button[type=submit]")
        assert "Pintu pagar macet" in resident.inner_text("h1")
        ticket_url = resident.url
        assert resident.locator(".photos img").count() == 1
        assert resident.evaluate("document.documentElement.scrollWidth") <= 360

        manager = _page(browser, 1366, problems)
        sign_in(manager, live_app, "manager", "en")
        manager.goto(f"{live_app.base}/manage/helpdesk/")
        manager.click("text=Pintu pagar macet")
        manager.select_option("#assign select[name=assignee]", label="Dedi Kurniawan")
        manager.click("#assign button[type=submit]")
        assert "Assigned to Dedi Kurniawan" in manager.inner_text(".toasts")

        fixer = _page(browser, 360, problems)
        sign_in(fixer, live_app, "facility", "id")
        fixer.goto(ticket_url)
        fixer.click("#moves button[value=in_progress]")
        fixer.set_input_files("#after-photos input[name=photos]", files=[_camera_photo()])
        fixer.click("#after-photos button[type=submit]")
        fixer.fill("#moves input[name=note]", "Engsel diganti")
        fixer.click("#moves button[value=resolved]")
        assert fixer.locator(".photos img").count() == 2
        screenshot(fixer, "facility-resolves-a-complaint-360px")

        resident.goto(ticket_url)
        assert "Engsel diganti" in resident.inner_text("ul.history")
        resident.check("#rate input[name=stars][value='5']")
        resident.click("#rate button[type=submit]")
        assert "Dinilai 5 dari 5" in resident.inner_text("#rating")
        resident.click("#moves button[value=closed]")
        manager.goto(f"{live_app.base}/manage/helpdesk/?status=closed")
        assert "Pintu pagar macet" in manager.inner_text("main")
        manager.click("main a[href$='/manage/helpdesk/report/']")
        assert "Helpdesk report" in manager.inner_text("h1")
        assert "Dedi Kurniawan" in manager.inner_text("#by-staff")
        assert manager.locator("canvas.report-chart").is_visible()
        screenshot(manager, "helpdesk-report-desktop")
        assert problems == []
    finally:
        browser.close()
