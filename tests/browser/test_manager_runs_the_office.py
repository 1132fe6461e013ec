"""Journey: a manager on a laptop, in English, runs the office: the billing settings, a
one-off charge for a block, reminders to everyone overdue (after a summary), a report as a
file, the audit trail, and the setup checklist on the settings page."""

from __future__ import annotations

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in


def test_a_manager_runs_the_office(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session)
    try:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_app, "manager", "en")

        page.click("nav.site-nav a[href$='/manage/settings/']")
        assert "Set the tariffs" in page.inner_text("ol.steps")
        page.click("a[href$='/manage/billing/settings']")
        page.fill("textarea[name=payment_instructions]", "BCA 123-456-7890, with the unit number")
        page.click("main form button[type=submit]")
        assert "Billing settings saved" in page.inner_text(".toasts")

        page.goto(f"{live_app.base}/manage/charges/")
        page.fill("input[name=units]", "B")
        page.fill("input[name=description]", "Access card")
        page.fill("input[name=amount]", "75,000")  # typed the English way
        page.click("#charge button[type=submit]")
        assert "Access card charged to" in page.inner_text(".toasts")

        page.goto(f"{live_app.base}/invoices/")
        page.click("a[href$='/manage/remind-overdue']")
        assert "overdue, owing" in page.inner_text("#remind-summary")
        page.click("#remind-summary button[value='1']")
        told = page.inner_text(".toasts")
        assert "Queued for" in told or "Not reachable" in told, told  # the truth, either way

        page.goto(f"{live_app.base}/manage/reports/aging")
        page.wait_for_function("Chart.getChart(document.querySelector('canvas.report-chart'))")
        with page.expect_download() as download:
            page.click("#report a[href*='format=xlsx']")
        assert download.value.suggested_filename.endswith(".xlsx")

        page.goto(f"{live_app.base}/manage/audit/?area=invoice")
        assert "invoice.overdue_reminded" in page.inner_text("main")
        screenshot(page, "manager-audit-trail-1366px")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        assert problems == []
    finally:
        browser.close()
