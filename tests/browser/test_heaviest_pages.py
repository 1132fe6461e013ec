"""The heaviest page of each role, on a 360 px phone: under 300 KB of HTML, CSS and JS, and
its DOMContentLoaded time noted in ``test-artifacts/page-weights.txt`` (a figure to watch,
never a pass mark: times depend on the machine)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    PAGE_WEIGHT_LIMIT,
    PASSWORD,
    LiveApp,
    launch,
    record_page_weight,
    sign_in,
    transferred,
)

HEAVIEST = [
    ("manager", "/c/graha-indah/manage/reports/income"),  # Chart.js and a report
    ("resident", "/c/graha-indah/account/"),  # the statement of a year
    ("guard", "/c/graha-indah/gate/"),  # htmx and the camera scanner
    ("platform", "/platform/"),
]


@pytest.mark.parametrize("who,path", HEAVIEST, ids=[who for who, _path in HEAVIEST])
def test_the_heaviest_page_of_each_role_stays_light(
    live_app: LiveApp, playwright_session, who: str, path: str
) -> None:
    browser = launch(playwright_session, language="id-ID")
    try:
        page = browser.new_page(viewport={"width": 360, "height": 780})
        if who == "platform":
            page.goto(f"{live_app.root}/login")
            page.fill("input[name=username]", "081100000000")
            page.fill("input[name=password]", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        else:
            sign_in(page, live_app, who, "id")
        page.goto(f"{live_app.root}{path}")
        page.wait_for_load_state("networkidle", timeout=10_000)
        weight = transferred(page)
        ready = page.evaluate(
            "Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)"
        )
        record_page_weight(f"{who} {path}, DOMContentLoaded {ready} ms", weight)
        assert weight < PAGE_WEIGHT_LIMIT
    finally:
        browser.close()
