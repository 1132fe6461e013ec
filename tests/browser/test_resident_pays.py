"""Journey: a resident opens an invoice, pays it through the Xendit simulator's checkout,
sees it paid and downloads the receipt, on a laptop and on a 360 px phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in


def _open_invoice(app: LiveApp, months_ahead: int) -> str:
    """The demo resident's open invoice of this month (the demo leaves it unpaid) or,
    billed now by the manager, of next month."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + months_ahead
    period = f"{index // 12}-{index % 12 + 1:02d}"
    with app.api("resident") as resident:
        unit = resident.get("units").json()["data"][0]["id"]
        mine = resident.get("invoices", params={"period": period}).json()["data"]
    if mine:
        assert mine[0]["status"] in ("pending", "overdue"), mine[0]
        return str(mine[0]["number"])
    with app.api("manager") as manager:
        billed = manager.post("admin/invoices", json={"unit": unit, "period": period})
        assert billed.status_code == 201, billed.text
        return str(billed.json()["data"]["number"])


def test_a_payment_that_fails_or_expires_is_said_so(live_app: LiveApp, playwright_session) -> None:
    """Runs before the journeys that pay: on this month's invoice, still open."""
    number = _open_invoice(live_app, 0)
    browser = launch(playwright_session, language="id-ID")
    try:
        page = browser.new_page(viewport={"width": 360, "height": 800})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        sign_in(page, live_app, "resident", "id")
        page.goto(f"{live_app.base}/invoices/")
        page.click(f"text={number}")
        for action, said in (("fail", "tidak berhasil"), ("expire", "kedaluwarsa")):
            page.click("#invoice form button[type=submit]")  # Pay (again)
            page.wait_for_selector("text=Xendit simulator")
            page.click(f"button[value={action}]")
            page.wait_for_selector(f"#payment-outcome:has-text('{said}')", timeout=30_000)
            assert page.locator(".badge.status-paid").count() == 0
            screenshot(page, f"resident-payment-{action}-360px")
        assert problems == []
    finally:
        browser.close()


@pytest.mark.parametrize("width,months_ahead", [(1280, 0), (360, 1)], ids=["laptop", "phone-360px"])
def test_a_resident_pays_an_invoice_and_downloads_the_receipt(
    live_app: LiveApp, playwright_session, width: int, months_ahead: int, tmp_path: Path
) -> None:
    number = _open_invoice(live_app, months_ahead)
    browser = launch(playwright_session)
    try:
        page = browser.new_page(viewport={"width": width, "height": 800})
        sign_in(page, live_app, "resident")
        page.goto(f"{live_app.base}/invoices/")
        page.click(f"text={number}")
        assert page.locator(".badge").first.get_attribute("class") != "badge status-paid"
        page.click("#invoice form button[type=submit]")  # Pay
        page.wait_for_selector("text=Xendit simulator")  # the hosted checkout
        page.click("button[value=pay]")
        # Back on the invoice, which follows the payment until the callback books it.
        try:
            page.wait_for_selector(".badge.status-paid", timeout=30_000)
        except Exception:
            print(page.url, page.locator("main").inner_text(), live_app.log_tail())
            raise
        assert page.locator("#invoice").inner_text().count(number) == 1
        receipt = page.locator("#invoice a[href*='/receipt']")
        pdf = page.request.get(live_app.root + (receipt.get_attribute("href") or ""))
        assert pdf.ok and pdf.body().startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        screenshot(page, f"resident-paid-{width}px")
    finally:
        browser.close()
