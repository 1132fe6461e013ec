"""Journey: a manager imports units from a spreadsheet, runs billing and sees the dashboard's
billed total grow."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from tests.browser.conftest import (
    PAGE_WEIGHT_LIMIT,
    LiveApp,
    launch,
    record_page_weight,
    screenshot,
    sign_in,
    transferred,
)


def _rupiah(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()) or 0)


def test_a_manager_imports_units_runs_billing_and_the_dashboard_follows(
    live_app: LiveApp, playwright_session, tmp_path: Path
) -> None:
    sheet = tmp_path / "unit-baru.csv"
    sheet.write_text("blok;nomor;luas_tanah;nama;no_hp\nZ;01;120;Bu Wati;081355550001\n"
                     "Z;02;90;;\nZ;03;150;;\n")  # fmt: skip
    browser = launch(playwright_session)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []  # console errors, CSP violations among them
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_app, "manager")
        before = _rupiah(page.inner_text("#billed-this-month"))

        page.goto(f"{live_app.base}/manage/units/import")
        page.set_input_files("input[type=file]", str(sheet))
        page.click("main form button[type=submit]")
        assert page.inner_text("#units-created") == "3"  # the preview; nothing written yet
        page.click("button[name=confirm]")
        page.wait_for_selector(".notice")

        # A new unit's page: a vehicle registered (a toast that goes by itself), then removed
        # after a confirmation in a modal dialog; Alpine runs under the strict CSP.
        page.goto(f"{live_app.base}/manage/units/?q=Z-01")
        page.click("tbody a:text('Z-01')")
        page.fill("input[name=plate]", "b 7 zz")
        page.click("form[action$='/vehicles'] button[type=submit]")
        toast = page.wait_for_selector(".toasts .notice:has-text('B7ZZ')")
        toast.wait_for_element_state("hidden", timeout=10_000)
        page.click("ul.plain .confirm > button")
        page.wait_for_selector("dialog[open]")
        screenshot(page, "manager-confirm-modal")
        page.click("dialog[open] button.danger")
        page.wait_for_selector(".toasts .notice:has-text('B7ZZ')")
        assert page.locator("ul.plain li").count() == 0

        page.goto(f"{live_app.base}/manage/billing/")
        page.fill("input[name=period]", f"{timezone.localdate():%Y-%m}")
        page.click("main form button[type=submit]")
        summary = page.inner_text("#run-summary")  # what it bills, before it starts
        assert "3 units get an invoice" in summary or "3 unit mendapat tagihan" in summary, summary
        page.click("#run-summary button[value='1']")
        page.wait_for_selector(".run-done", timeout=30_000)  # the progress follows the queue
        assert page.locator("progress").get_attribute("value") == "100"
        assert page.inner_text("#run-created") == "3"  # the three new units; the rest skipped
        screenshot(page, "manager-billing-run")

        page.goto(f"{live_app.base}/")
        after = _rupiah(page.inner_text("#billed-this-month"))
        assert after > before
        # The trend chart draws the same figure as this month's bar of what was billed.
        page.wait_for_function(
            "window.Chart && Chart.getChart(document.querySelector('canvas.trend-chart'))"
        )
        charted = page.evaluate(
            "Chart.getChart(document.querySelector('canvas.trend-chart')).data.datasets[0].data.at(-1)"
        )
        assert charted == after
        weight = transferred(page)  # with htmx, Chart.js and the dashboard's script
        record_page_weight("manager dashboard (with Chart.js)", weight)
        assert weight < PAGE_WEIGHT_LIMIT
        screenshot(page, "manager-dashboard")
        assert problems == []
    finally:
        browser.close()
