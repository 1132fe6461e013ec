"""Guard mode with the network gone, on two 360 px phones at two gates: a resident's pass and
a guest's code are checked on the phones and answered "offline"; back online, each phone's
outbox drains into the access log with the phones' times; sending the same batch again adds
nothing; the single-use code let in at both gates is flagged once, for the manager and on the
second phone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in


def _gate_phone(browser: Any, app: LiveApp, gate: str, problems: list[str]) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    with page.expect_response(lambda r: r.url.endswith("/access/offline-list")):
        sign_in(page, app, "guard", "en")
    page.fill("#gate", gate)
    return context, page


def _check(page: Any, payload: str) -> str:
    page.evaluate("document.getElementById('answer').replaceChildren()")  # the last answer gone
    page.fill("#payload", payload)
    page.click("#check button[type=submit]")
    page.wait_for_selector("#answer .verdict")
    return str(page.inner_text("#answer"))


def test_two_gates_answer_offline_and_the_server_sorts_it_out(
    live_app: LiveApp, playwright_session
) -> None:
    resident, manager = live_app.api("resident"), live_app.api("manager")
    resident_pass = resident.get("access/pass").json()["data"]["token"]
    now = datetime.now(UTC)
    guest = resident.post(
        "guests/register",
        json={
            "unit": resident.get("units").json()["data"][0]["id"],
            "guest_name": "Pak Offline",
            "starts_at": (now - timedelta(minutes=10)).isoformat(),
            "ends_at": (now + timedelta(hours=3)).isoformat(),
        },
    ).json()["data"]
    browser = launch(playwright_session, language="en-US")
    problems: list[str] = []
    try:
        east_context, east = _gate_phone(browser, live_app, "Pos Timur", problems)
        west_context, west = _gate_phone(browser, live_app, "Pos Barat", problems)
        east_context.set_offline(True)
        west_context.set_offline(True)

        answered = _check(east, resident_pass)
        assert "Allowed in" in answered and "offline" in answered
        assert "Siti Rahmawati" in answered and "A-01" in answered  # from the signed pass
        assert "Allowed in" in _check(east, guest["code"].lower())
        assert "Not in today's list" in _check(east, "ZZZZ2222")
        assert "Allowed in" in _check(west, guest["code"])  # the same code at the other gate
        assert "Offline" in east.inner_text("#gate-status")
        assert east.inner_text("[data-waiting]") == "2" and west.inner_text("[data-waiting]") == "1"
        assert east.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(east, "gate-offline-phone")

        with east.expect_request(lambda r: r.url.endswith("/api/v1/sync")) as sent:
            east_context.set_offline(False)
        expect(east.locator("[data-waiting]")).to_have_text("0")
        batch = json.loads(sent.value.post_data or "{}")
        west_context.set_offline(False)
        expect(west.locator("[data-waiting]")).to_have_text("0")
        west.wait_for_selector("#sync-flags:not([hidden])")

        logs = manager.get("admin/access-logs").json()["data"]
        offline = [log for log in logs if log["offline"]]
        assert sorted(log["gate"] for log in offline) == ["Pos Barat", "Pos Timur", "Pos Timur"]
        stored_at = sorted(
            datetime.fromisoformat(log["at"]) for log in offline if log["gate"] == "Pos Timur"
        )
        phone_times = sorted(datetime.fromisoformat(e["device_time"]) for e in batch["entries"])
        assert stored_at == phone_times  # the phone's times, not the server's
        flagged = manager.get("admin/access-logs?flag=any").json()["data"]
        assert [(log["gate"], log["flag"]) for log in flagged] == [("Pos Barat", "conflict")]

        again = live_app.api("guard").post("sync", json=batch).json()["data"]
        assert again["duplicates"] == len(batch["entries"]) and again["stored"] == 0
        assert (
            len([log for log in manager.get("admin/access-logs").json()["data"] if log["offline"]])
            == 3
        )

        # signing out drops the guest list kept on the phone (names and units of guests)
        kept_list = """() => new Promise((resolve) => {
            const open = indexedDB.open("klustera-gate-graha-indah");
            open.onsuccess = () => {
              const get = open.result.transaction("kept").objectStore("kept").get("list");
              get.onsuccess = () => resolve(get.result ? get.result.guests.length : null);
            };
          })"""
        assert west.evaluate(kept_list) is not None
        with west.expect_navigation():
            west.click("header [data-sign-out] button")
        assert west.evaluate(kept_list) is None
        assert not problems, problems
    finally:
        browser.close()
