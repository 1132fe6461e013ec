"""Every page each role can reach, on a 360 px phone in Indonesian: nothing scrolls sideways,
nothing breaks the console or the CSP, no English UI word is left untranslated, and every
destination, the profile among them, can be reached from the phone's navigation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, LiveApp, launch, screenshot, sign_in

WIDTH = 360
# Words of the portal's English UI that never belong on an Indonesian page (whole words,
# outside inputs). Names in the demo data (people, streets) use none of them.
ENGLISH_UI = [
    "Invoices",
    "Payments",
    "Sign out",
    "Dashboard",
    "Units",
    "Tariffs",
    "Announcements",
    "Settings",
    "Save",
    "Search",
    "Amount",
    "Due",
    "Paid",
    "Overdue",
    "Download",
    "Submit",
    "Cancel",
    "Back",
    "Next",
    "Previous",
    "Profile",
    "Guests",
]
# Pages a role reaches from another page, not from the navigation.
EXTRA = {
    "manager": [
        "manage/reports/income",
        "manage/reports/collection",
        "manage/reports/journal",
        "manage/reports/late-fees",
        "manage/charges/",
        "manage/remind-overdue",
        "manage/billing/settings",
        "manage/payments/xendit",
        "manage/audit/",
        "manage/notifications/settings",
        "manage/api-keys/",
        "manage/helpdesk/report/",
        "manage/helpdesk/settings/",
        "facilities/",
        "manage/facilities/",
        "manage/facilities/new/",
        "manage/facilities/1/",  # the demo's clubhouse, with its closures
        "manage/facilities/report/",
        "manage/tasks/",
        "manage/tasks/templates/new/",
        "manage/tasks/done/",
        "manage/tasks/week/",
        "tasks/",
        "manage/patrols/night/",
        "manage/patrols/routes/new/",
        "manage/patrols/checkpoints/1/",
        "manage/patrols/routes/1/",
        "manage/patrols/report/",
        "manage/shifts/",
        "incidents/1/",
        "inbox/",
        "manage/polls/new/",
        "manage/announcements/1/edit/",
        "manage/announcements/1/reads/",
    ],
    "resident": ["inbox/"],
    "guard": ["inbox/"],
}
# Pages a role reaches from a list, not from the navigation: the first link of that kind.
DETAILS = {
    "manager": ["manage/units/", "invoices/", "complaints/", "facilities/", "polls/"],
    "resident": ["invoices/", "facilities/", "bookings/", "polls/"],
    "guard": [],
}


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _cells_off_screen(page: Any) -> int:
    """Table cells a phone user would have to scroll a table sideways to see."""
    return int(
        page.evaluate(
            "[...document.querySelectorAll('main td, main th:not(table.stack thead th)')]"
            ".filter(c => c.getBoundingClientRect().right > window.innerWidth + 1).length"
        )
    )


def _english_words(page: Any) -> list[str]:
    text = page.evaluate("document.body.innerText")
    return [word for word in ENGLISH_UI if re.search(rf"\b{re.escape(word)}\b", text)]


def _destinations(page: Any) -> list[str]:
    """Every link of the phone's navigation: the tab bar and what its menu holds."""
    hrefs = page.eval_on_selector_all(
        "nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(h for h in hrefs if h and h.startswith("/c/")))


def _detail_link(page: Any, section: str) -> str | None:
    hrefs = page.eval_on_selector_all(
        f"main a[href*='/{section}']", "links => links.map(a => a.getAttribute('href'))"
    )
    pattern = re.compile(rf"/{re.escape(section)}[^/?]+/$")
    return next((h for h in hrefs if pattern.search(h)), None)


@pytest.mark.parametrize("who", ["manager", "resident", "guard"])
def test_every_page_of_a_role_fits_a_phone_in_indonesian(
    live_app: LiveApp, playwright_session, who: str
) -> None:
    browser = launch(playwright_session, language="id-ID")
    try:
        page = browser.new_page(viewport={"width": WIDTH, "height": 780})
        problems: list[str] = []  # console errors, CSP violations among them
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_app, who, "id")
        destinations = _destinations(page)
        assert any(d.endswith("/profile") for d in destinations), destinations
        page.goto(f"{live_app.base}/profile")
        page.keyboard.press("Tab")  # the keyboard's first stop skips to the content
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        found: dict[str, list[str]] = {}
        pages = list(destinations) + [f"/c/graha-indah/{path}" for path in EXTRA[who]]
        for section in DETAILS[who]:
            page.goto(f"{live_app.root}/c/graha-indah/{section}")
            detail = _detail_link(page, section)
            assert detail, f"no {section} detail link"
            pages.append(detail)
        for path in pages:
            response = page.goto(f"{live_app.root}{path}")
            assert response is not None and response.ok, path
            page.wait_for_load_state("networkidle", timeout=10_000)
            if (overflow := _overflow(page)) > 0:
                screenshot(page, f"overflow-{who}-{path.strip('/').replace('/', '-')}")
                found.setdefault("sideways scroll", []).append(f"{path} +{overflow}px")
            if hidden := _cells_off_screen(page):
                found.setdefault("table cells off screen", []).append(f"{path}: {hidden}")
            if page.locator("main h1").count() != 1:
                found.setdefault("not one h1", []).append(path)
            if words := _english_words(page):
                found.setdefault("untranslated", []).append(f"{path}: {words}")
        assert found == {}
        assert problems == []
    finally:
        browser.close()


def test_the_platform_console_fits_a_phone(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="id-ID")
    try:
        page = browser.new_page(viewport={"width": WIDTH, "height": 780})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_app.root}/login")
        page.fill("input[name=username]", "081100000000")
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1
        assert _overflow(page) <= 0
        assert _english_words(page) == []
        assert problems == []
    finally:
        browser.close()
