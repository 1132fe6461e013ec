"""Journey: a resident opens an invoice's PDF (Chromium then asks the host for /favicon.ico),
goes back, and opens another complex's address: still signed in to their own complex."""

from __future__ import annotations

from tests.browser.conftest import LiveApp, launch, sign_in


def test_a_pdf_or_another_complex_never_signs_the_resident_out(
    live_app: LiveApp, playwright_session
) -> None:
    browser = launch(playwright_session)
    try:
        page = browser.new_page(viewport={"width": 360, "height": 800})
        sign_in(page, live_app, "resident")
        page.goto(f"{live_app.base}/invoices/")
        invoice = page.locator("main a[href*='/invoices/']").first.get_attribute("href") or ""
        pdf = page.request.get(f"{live_app.root}{invoice}pdf")  # the PDF, in this session
        assert pdf.ok and pdf.body().startswith(b"%PDF")
        icon = page.goto(f"{live_app.root}/favicon.ico")  # what Chromium asks for a PDF
        assert icon is not None and icon.ok and icon.url.endswith("favicon.svg")
        page.go_back()
        page.goto(f"{live_app.root}/c/another-complex/")  # another address on the same host
        page.goto(f"{live_app.base}/profile")
        assert page.url.endswith("/profile"), page.url  # not sent to the sign-in page
        assert {c["name"] for c in page.context.cookies()} >= {"sessionid_graha-indah"}
    finally:
        browser.close()
