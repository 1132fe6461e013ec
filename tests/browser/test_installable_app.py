"""The installable app on a guard's 360 px phone: the manifest opens guard mode, the service
worker keeps the shell and guard mode for when the network is gone, a new version takes over
only when the guard reloads for it, and signing out forgets the pages kept offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.browser.conftest import ARTIFACTS, LiveApp, launch, screenshot, sign_in

APP_JS = Path(__file__).resolve().parents[2] / "klustera" / "static" / "klustera" / "app.js"
CACHED_BYTES = """async () => {
  let total = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      total += (await (await cache.match(request)).blob()).size;
    }
  }
  return total;
}"""


def _phone(context: Any, problems: list[str]) -> Any:
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def _worker_ready(page: Any) -> str:
    return str(
        page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.active && r.active.scriptURL)",
        )
    )


def test_guard_mode_opens_with_no_network_and_a_new_version_waits_for_a_reload(
    live_app: LiveApp, playwright_session
) -> None:
    browser = launch(playwright_session, language="en-US")
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 780})
    context.set_default_timeout(15_000)
    try:
        page = _phone(context, problems)
        sign_in(page, live_app, "guard", "en")
        gate = f"{live_app.base}/gate/"
        assert page.url == gate
        manifest = page.evaluate(
            "fetch(document.querySelector('link[rel=manifest]').href, {credentials: 'include'})"
            ".then(r => r.json())"
        )
        assert manifest["start_url"].endswith("/c/graha-indah/gate/")
        assert manifest["display"] == "standalone"
        assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
        anonymous = httpx.get(f"{live_app.base}/manifest.webmanifest").json()
        assert anonymous["start_url"].endswith("/c/graha-indah/")

        assert _worker_ready(page).endswith("/c/graha-indah/sw.js")
        page.goto(gate)  # under the worker now: guard mode is kept as last seen
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        cached = page.evaluate(CACHED_BYTES)

        context.set_offline(True)
        page.goto(gate)
        started = page.evaluate("performance.getEntriesByType('navigation')[0].duration")
        assert page.locator("#payload").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.goto(f"{live_app.base}/guests/")  # a page not kept: says so
        assert "No connection" in page.inner_text("main")
        screenshot(page, "offline-page-phone")
        context.set_offline(False)
        page.goto(gate)

        # A deploy changes a file of the shell: a new worker installs and waits.
        first_version = page.evaluate("caches.keys()")
        shipped = APP_JS.read_text()
        try:
            APP_JS.write_text(shipped + "// the next release\n")
            page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
            page.wait_for_selector("#app-update:not([hidden])")
        finally:
            APP_JS.write_text(shipped)
        assert "new version" in page.inner_text("#app-update")
        assert page.locator("#payload").is_visible()  # the old version runs on meanwhile
        screenshot(page, "app-update-phone")
        with page.expect_navigation():
            page.click("#app-update button")
        page.wait_for_load_state()
        versions = page.evaluate("caches.keys()")
        shells = [name for name in versions if name.startswith("klustera-shell-")]
        assert len(shells) == 1 and shells[0] not in first_version  # the old cache is gone
        assert page.locator("#payload").is_visible()  # nothing stale broke

        with page.expect_navigation():  # the page drops its caches first, then signs out
            page.click("form[data-sign-out] button")
        assert "klustera-pages" not in page.evaluate("caches.keys()")
        assert not problems, problems
    finally:
        browser.close()
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "page-weights.txt").open("a") as out:
        out.write(
            f"service worker cache: {cached:,} bytes; guard mode offline start {started:.0f} ms\n"
        )
