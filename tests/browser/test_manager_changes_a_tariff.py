"""Journey: on a 360 px phone in Indonesian, a manager raises the service fee from a month on,
typing the amount the Indonesian way, in the row's dialog."""

from __future__ import annotations

from datetime import date

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in


def test_a_manager_changes_a_rate_from_next_year(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="id-ID")
    try:
        page = browser.new_page(viewport={"width": 360, "height": 780})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_app, "manager", "id")
        page.goto(f"{live_app.base}/manage/tariffs/")
        row = page.locator("tbody tr").first
        charge = row.locator("td").first.inner_text().splitlines()[0]
        row.locator(".confirm > button").click()
        dialog = page.locator("dialog[open]")
        month = f"{date.today().year + 2}-01"
        dialog.locator("input[name=from_month]").fill(month)
        dialog.locator("input[name=rate]").fill("Rp 280.000")
        screenshot(page, "manager-tariff-change-360px")
        dialog.locator("button[type=submit]").click()
        page.wait_for_selector(".toasts .notice")
        assert f"{charge} menjadi Rp 280.000 mulai {month}" in page.inner_text(".toasts")
        assert page.locator("tbody tr", has_text="Rp 280.000").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert problems == []
    finally:
        browser.close()
