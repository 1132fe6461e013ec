"""Journey: a resident switches WhatsApp off and on again on a 360 px phone in Indonesian and
sends themselves a test; a manager on a laptop in English reminds an unreachable unit and is
told it was not sent, and why. (The first sign-in's question: klustera/notifications tests.)"""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveApp, choose_language, launch, screenshot, sign_in


def _watch(page: Any) -> list[str]:
    problems: list[str] = []  # console errors, CSP violations among them
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_a_resident_opts_in_and_a_manager_is_told_the_truth(
    live_app: LiveApp, playwright_session
) -> None:
    browser = launch(playwright_session, language="id-ID")
    try:
        page = browser.new_page(viewport={"width": 360, "height": 780})
        problems = _watch(page)
        sign_in(page, live_app, "resident", "id")
        page.click(".tab-bar summary")
        page.click(".menu-sheet a[href$='/notifications/']")
        page.uncheck("input[name=whatsapp]")
        page.click("main form:has(input[name=whatsapp]) button[type=submit]")
        assert "Dimatikan pada" in page.inner_text("#consent-record")
        page.check("input[name=whatsapp]")
        page.click("main form:has(input[name=whatsapp]) button[type=submit]")
        assert "Setuju pada" in page.inner_text("#consent-record")
        page.click("button[name=test][value=whatsapp]")
        assert "Pesan uji masuk antrean" in page.inner_text(".toasts")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "resident-notifications-360px")
        assert problems == []

        desk = browser.new_page(viewport={"width": 1280, "height": 800})
        problems = _watch(desk)
        sign_in(desk, live_app, "manager")
        choose_language(desk, "en")
        assert "billing contacts can be messaged" in desk.inner_text("#reach")
        # A unit whose billing contact has neither an account nor an email (the demo's third).
        desk.goto(f"{live_app.base}/invoices/?block=A&status=pending")
        invoice = desk.locator("tr:has(td:text-is('A-03')) a").first.get_attribute("href")
        desk.goto(f"{live_app.root}{invoice}")
        desk.click("button[value=remind]")
        desk.wait_for_selector(".toasts .notice")
        told = desk.inner_text(".toasts")
        assert "Not reachable: 1" in told and "Queued" not in told, told
        assert problems == []
    finally:
        browser.close()
