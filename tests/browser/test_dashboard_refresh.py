"""The manager's dashboard refreshes its figures every 30 s: each refresh redraws the chart
without breaking the Content Security Policy, and its cards line up."""

from __future__ import annotations

from tests.browser.conftest import LiveApp, launch, sign_in


def test_a_dashboard_refresh_keeps_to_the_csp(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.add_init_script(
            "window.violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.violations.push(e.violatedDirective));"
        )
        sign_in(page, live_app, "manager")
        page.wait_for_function("Chart.getChart(document.querySelector('canvas')) !== undefined")
        # What the 30-s poll does, now: fetch the figures and swap them in.
        page.evaluate(
            "new Promise(done => { document.body.addEventListener('htmx:afterSettle', done,"
            " {once: true}); htmx.ajax('GET', document.querySelector('#live').getAttribute("
            "'hx-get'), {source: '#live', target: '#live'}); })"
        )
        page.wait_for_function("Chart.getChart(document.querySelector('canvas')) !== undefined")
        assert page.evaluate("window.violations") == []
        # Cards side by side line up at the top.
        tops = page.eval_on_selector_all(
            ".tiles > .card", "cards => cards.map(c => Math.round(c.getBoundingClientRect().top))"
        )
        assert len(tops) == 3 and len(set(tops)) == 1, tops
        assert problems == []
    finally:
        browser.close()
