"""The seed's journey: a manager on a laptop points the complex's WhatsApp at the Cloud API
(here its simulator) and posts an announcement; every opted-in resident receives it on
WhatsApp in their own language (Hendra reads English, Siti Indonesian), and finds it in
the app's inbox on a 360 px phone, with its PDF attached."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RESIDENTS = {"6281100000002": "id", "6281100000007": "en"}  # Siti, Hendra: opted in


def _watch(page: Any, problems: list[str]) -> Any:
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP ' + e.violatedDirective));"
    )
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def _whatsapp_for(live_app: LiveApp, title: str, within: float = 30) -> dict[str, str]:
    """Recipient → template language of the announcement's WhatsApp messages, once each
    opted-in resident has one (the worker sends them): fails after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        received = {
            r.to: r.body["template"]["language"]["code"]
            for r in live_app.messaging.sent("whatsapp")
            if r.body.get("template", {}).get("name") == "klustera_announcement"
            and title in str(r.body)
        }
        if set(RESIDENTS) <= set(received) or time.monotonic() > deadline:
            return received
        time.sleep(0.25)  # the worker's queue, polled with a deadline


def test_an_announcement_reaches_every_opted_in_resident_on_whatsapp_in_their_language(
    live_app: LiveApp, playwright_session
) -> None:
    browser = launch(playwright_session, language="en-US")
    problems: list[str] = []
    title = f"Pemadaman listrik {uuid.uuid4().hex[:4]}"
    sim = live_app.messaging
    try:
        neighbour = _watch(browser.new_page(viewport={"width": 360, "height": 780}), problems)
        sign_in(neighbour, live_app, "neighbour", "en")  # Hendra reads English

        manager = _watch(browser.new_page(viewport={"width": 1366, "height": 900}), problems)
        sign_in(manager, live_app, "manager", "en")
        manager.goto(f"{live_app.base}/manage/notifications/settings")
        manager.select_option("select[name=whatsapp_provider]", "meta_cloud")
        manager.fill("input[name=whatsapp_phone_number_id]", sim.phone_number_id)
        manager.fill("input[name=whatsapp_access_token]", sim.whatsapp_token)
        manager.fill("input[name=quiet_start]", "00:00")  # no quiet hours for this journey
        manager.fill("input[name=quiet_end]", "00:00")
        manager.click("main form:has(select[name=whatsapp_provider]) button[type=submit]")
        assert "Settings saved" in manager.inner_text(".toasts")

        manager.goto(f"{live_app.base}/announcements/")
        manager.fill("[data-announce] input[name=title]", title)
        manager.fill("[data-announce] textarea[name=body]", "Kamis 09.00-12.00, seluruh blok.")
        manager.select_option("[data-announce] select[name=category]", "maintenance")
        manager.set_input_files(
            "[data-announce] input[name=attachments]",
            {"name": "Jadwal pemadaman.pdf", "mimeType": "application/pdf", "buffer": PDF},
        )
        manager.click("[data-announce] button[type=submit]:not([name])")
        assert "Announcement posted" in manager.inner_text(".toasts")
        screenshot(manager, "manager-posts-an-announcement-1366px")

        assert _whatsapp_for(live_app, title) == RESIDENTS

        neighbour.reload()
        neighbour.click("#bell")
        assert title in neighbour.inner_text("main .inbox")
        assert neighbour.evaluate("document.documentElement.scrollWidth") <= 360
        neighbour.goto(f"{live_app.base}/announcements/")
        attached = neighbour.locator(f"[data-announcement]:has-text('{title}') [data-attachment]")
        assert attached.inner_text() == "Jadwal pemadaman.pdf"
        assert neighbour.request.get(live_app.root + attached.get_attribute("href")).body() == PDF
        assert neighbour.evaluate("document.documentElement.scrollWidth") <= 360
        manager.goto(f"{live_app.base}/announcements/")
        manager.click(f"[data-announcement]:has-text('{title}') a[href$='/reads/']")
        assert "Hendra Wijaya" in manager.inner_text("main table")
        assert problems == []
    finally:
        with live_app.api("manager") as api:  # the demo writes WhatsApp to the console again
            api.patch(
                "admin/notifications/settings",
                # as the live app starts: no quiet hours (tests/browser/conftest.py)
                json={"whatsapp_provider": "console", "quiet_start": "00:00", "quiet_end": "00:00"},
            ).raise_for_status()
        browser.close()
