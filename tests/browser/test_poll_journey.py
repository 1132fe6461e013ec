"""Journey: the manager puts a question to the complex on a laptop, in English → two
residents of different units vote on 360 px phones, in Indonesian, one of them changing
their vote; the bell tells one of them, the home page the other → the manager closes the
poll and downloads its minutes."""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from tests.browser.conftest import (
    LiveApp,
    fits_without_violations,
    launch,
    screenshot,
    sign_in,
    watched_page,
)

ZONE = ZoneInfo("Asia/Jakarta")  # the demo complex's time zone (WIB)
# What the bell's 30-s poll does, done now (htmx.ajax's promise settles after the swap).
REFRESH_BELL = """htmx.ajax('GET', document.querySelector('#bell').getAttribute('hx-get'),
                  {source: '#bell', target: '#bell', swap: 'outerHTML'})"""
BELL_ABOVE = (
    "before => Number(document.querySelector('#bell .bell-count')?.dataset.unread) > before"
)


def _wait_for_inbox(page: Any, url: str, text: str, within: float = 60) -> None:
    """Until the worker has written the notice with ``text`` to the signed-in person's
    inbox; fails after ``within`` seconds (a busy worker takes its time, never forever)."""
    deadline = time.monotonic() + within
    while text not in page.request.get(url).text():
        assert time.monotonic() < deadline, f"no inbox entry with {text!r} after {within} s"
        time.sleep(0.25)


def _unread(page: Any) -> int:
    count = page.locator("#bell .bell-count")
    return int(count.get_attribute("data-unread")) if count.count() else 0


def test_a_poll_from_question_to_minutes(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="en-US")
    problems: list[str] = []
    question = f"Portal belakang ditutup pukul 22.00? ({uuid.uuid4().hex[:4]})"
    try:
        resident = watched_page(browser, 360, problems)
        sign_in(resident, live_app, "resident", "id")
        before = _unread(resident)

        manager = watched_page(browser, 1366, problems)
        sign_in(manager, live_app, "manager", "en")
        manager.goto(f"{live_app.base}/polls/")
        manager.click("text=New poll")
        now = datetime.now(ZONE)
        manager.fill("input[name=question]", question)
        manager.fill("textarea[name=options]", "Setuju\nTidak setuju")
        manager.fill("input[name=opens_at]", now.strftime("%Y-%m-%dT%H:%M"))
        manager.fill("input[name=closes_at]", (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
        manager.select_option("select[name=results]", "live")
        manager.fill("input[name=quorum_percent]", "10")
        manager.click("[data-poll-form] button[type=submit]")
        assert manager.inner_text("h1") == question
        assert manager.get_attribute("[data-state]", "data-state") == "open"
        fits_without_violations(manager)

        # The worker writes the opening notice; the bell's poll (every 30 s, asked now) counts it.
        # (A predicate returning a promise would pass at once: Playwright takes the promise
        # itself as truthy. The waits below test plain values.)
        _wait_for_inbox(resident, f"{live_app.base}/inbox/?unread=1", question)
        resident.evaluate(REFRESH_BELL)
        resident.wait_for_function(BELL_ABOVE, arg=before, timeout=10_000)
        with resident.expect_navigation():
            resident.click("#bell")
        notice = resident.locator(".inbox-entry.unread", has_text=question)
        assert "pemungutan suara dibuka" in notice.inner_text()
        notice.locator("a").click()
        assert resident.inner_text("h1") == question
        resident.check("text=Setuju >> nth=0")
        resident.click("[data-vote] button[type=submit]")
        assert "Suara Anda tersimpan" in resident.inner_text(".toasts")
        assert resident.is_visible("[data-voted]")
        fits_without_violations(resident)
        screenshot(resident, "resident-votes-360px")

        neighbour = watched_page(browser, 360, problems)
        sign_in(neighbour, live_app, "neighbour", "id")
        neighbour.click(f"[data-open-polls] >> text={question}")
        neighbour.check("label:has-text('Tidak setuju') input")
        neighbour.click("[data-vote] button[type=submit]")
        neighbour.check("label:has-text('Setuju'):not(:has-text('Tidak')) input")
        neighbour.click("[data-vote] button[type=submit]")  # changed their mind
        assert "Ubah suara Anda" in neighbour.inner_text("[data-vote] h2")
        assert neighbour.inner_text("[data-option='Setuju']").startswith("2")
        assert neighbour.inner_text("[data-option='Tidak setuju']").startswith("0")
        fits_without_violations(neighbour)

        manager.reload()
        assert manager.inner_text("[data-turnout]").startswith("2 of ")
        manager.click("[data-close]")
        assert "Poll closed" in manager.inner_text(".toasts")
        with manager.expect_download() as download:
            manager.click("[data-minutes]")
        pdf = PdfReader(download.value.path())
        text = "\n".join(page.extract_text() for page in pdf.pages)
        assert "Berita acara pemungutan suara" in text and question in text
        assert re.search(r"^Setuju\s+2$", text, re.MULTILINE) and "2 dari" in text
        screenshot(manager, "manager-closes-a-poll-1366px")
        assert problems == []
    finally:
        browser.close()
