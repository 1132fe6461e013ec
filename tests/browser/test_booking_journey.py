"""Journey: a resident books the clubhouse on a 360 px phone and pays in the Xendit
simulator; the manager sees it on the calendar and approves it; the resident sees it
confirmed; a neighbour finds the time taken and is offered the next free ones. Once in
Indonesian, once in English, a week apart (the clubhouse takes one booking a unit a week)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in

SAID = {
    "id": {
        "held": "Menunggu pembayaran",
        "waiting": "Menunggu persetujuan",
        "confirmed": "Terkonfirmasi",
        "taken": "Waktu itu sudah dipesan",
    },
    "en": {
        "held": "Waiting for payment",
        "waiting": "Waiting for approval",
        "confirmed": "Confirmed",
        "taken": "That time is taken",
    },
}


def _watch(page, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("language,days", [("id", 3), ("en", 10)])
def test_the_clubhouse_booked_paid_approved_and_then_taken(
    live_app: LiveApp, playwright_session, language: str, days: int
) -> None:
    said = SAID[language]
    day = (timezone.localdate() + timedelta(days=days)).isoformat()
    browser = launch(playwright_session, language="id-ID" if language == "id" else "en-US")
    problems: list[str] = []
    try:
        phone = browser.new_page(viewport={"width": 360, "height": 800})
        _watch(phone, problems)
        sign_in(phone, live_app, "resident", language)
        phone.goto(f"{live_app.base}/facilities/")
        phone.click("main .facility a:has-text('Clubhouse')")
        _fits(phone)
        phone.fill("#id_day", day)
        phone.fill("#id_start", "09:00")
        phone.fill("#id_end", "13:00")
        phone.click("#book button[type=submit]")
        phone.wait_for_selector(f"#booking .badge:has-text('{said['held']}')")
        booking_url = phone.url
        phone.click("#pay")
        phone.wait_for_selector("text=Xendit simulator")  # the hosted checkout
        phone.click("button[value=pay]")
        phone.wait_for_selector(f"#booking .badge:has-text('{said['waiting']}')", timeout=30_000)
        assert phone.url.split("?")[0] == booking_url
        _fits(phone)
        screenshot(phone, f"booking-paid-{language}-360px")

        laptop = browser.new_context().new_page()
        laptop.set_viewport_size({"width": 1280, "height": 900})
        _watch(laptop, problems)
        sign_in(laptop, live_app, "manager", language)
        laptop.goto(f"{live_app.base}/manage/facilities/calendar/?from={day}")
        row = laptop.locator("#approvals tr", has_text="A-01")
        row.locator("a").first.click()
        laptop.click("button[value=approve]")
        laptop.wait_for_selector(f"#booking .badge:has-text('{said['confirmed']}')")
        laptop.goto(f"{live_app.base}/manage/facilities/calendar/?from={day}")
        assert "A-01" in laptop.locator("#calendar").inner_text()
        screenshot(laptop, f"booking-calendar-{language}-laptop")

        phone.goto(booking_url)
        phone.wait_for_selector(f"#booking .badge:has-text('{said['confirmed']}')")

        other = browser.new_context().new_page()
        other.set_viewport_size({"width": 360, "height": 800})
        _watch(other, problems)
        sign_in(other, live_app, "neighbour", language)
        other.goto(f"{live_app.base}/facilities/")
        other.click("main .facility a:has-text('Clubhouse')")
        other.fill("#id_day", day)
        other.fill("#id_start", "10:00")
        other.fill("#id_end", "12:00")
        other.click("#book button[type=submit]")
        refusal = other.locator("#book [role=alert]")
        refusal.first.wait_for()
        assert said["taken"] in refusal.inner_text()
        _fits(other)
        screenshot(other, f"booking-taken-{language}-360px")
        assert problems == []
    finally:
        browser.close()
