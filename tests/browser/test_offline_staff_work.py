"""Staff work with the network gone, on 360 px phones: a guard's patrol scan and an incident
with a photo, and a cleaner's task done with a photo, are kept on the phones (IndexedDB) and
sent when the network is back; the server has each once, photos included, with the phones'
times."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in


def _photo(name: str) -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _phone(browser: Any, app: LiveApp, who: str, problems: list[str]) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, app, who, "en")
    return context, page


def test_staff_work_done_offline_reaches_the_office_once(
    live_app: LiveApp, playwright_session
) -> None:
    manager = live_app.api("manager")
    checkpoint = manager.get("admin/checkpoints").json()["data"][0]
    cleaner_api = live_app.api("cleaner")
    now = datetime.now(UTC)
    task = manager.post(  # a task of its own: the demo's belong to the other journeys
        "admin/tasks",
        json={
            "title": "Bersihkan pos satpam",
            "queue": "cleaning_staff",
            "starts_at": now.isoformat(),  # today in the complex, even at 00:01
            "due_at": (now + timedelta(hours=2)).isoformat(),
            "photo_required": True,
        },
    ).json()["data"]
    browser = launch(playwright_session, language="en-US")
    problems: list[str] = []
    try:
        guard_context, patrol = _phone(browser, live_app, "guard", problems)
        patrol.goto(f"{live_app.base}/patrol/")
        incidents = guard_context.new_page()
        incidents.on("pageerror", lambda error: problems.append(str(error)))
        incidents.goto(f"{live_app.base}/incidents/")
        cleaner_context, tasks = _phone(browser, live_app, "cleaner", problems)
        tasks.goto(f"{live_app.base}/tasks/")
        guard_context.set_offline(True)
        cleaner_context.set_offline(True)

        patrol.fill("#token", checkpoint["token"])
        patrol.click("#scan button[type=submit]")
        expect(patrol.locator("#outbox [data-waiting]")).to_have_text("1")
        assert "Offline" in patrol.inner_text("#outbox")
        assert patrol.is_visible("#outbox [data-saved]")

        report = incidents.locator("#report")
        report.locator("[name=kind]").select_option(index=1)
        report.locator("[name=severity]").select_option("minor")
        report.locator("[name=location]").fill("Taman bermain")
        report.locator("[name=description]").fill("Lampu taman mati, dicatat tanpa sinyal.")
        report.locator("[name=photos]").set_input_files(_photo("lampu.jpg"))
        report.locator("button[type=submit]").click()
        expect(incidents.locator("#outbox [data-waiting]")).to_have_text("2")
        assert incidents.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(incidents, "incident-offline-phone")

        card = tasks.locator(f"#task-{task['id']}")
        card.locator("[name=photos]").set_input_files(_photo("kerja.jpg"))
        card.locator("button[value=done]").click()
        expect(tasks.locator("#outbox [data-waiting]")).to_have_text("1")

        with patrol.expect_response(lambda r: r.url.endswith("/api/v1/sync")) as synced:
            guard_context.set_offline(False)
        expect(patrol.locator("#outbox [data-waiting]")).to_have_text("0", timeout=20_000)
        batch = synced.value.json()["data"]
        assert [e["type"] for e in batch["entries"]] == ["patrol_scan"]
        assert batch["entries"][0]["status"] in {"stored", "duplicate"}
        cleaner_context.set_offline(False)
        expect(tasks.locator("#outbox [data-waiting]")).to_have_text("0", timeout=20_000)

        guard_api = live_app.api("guard")
        reported = [
            i
            for i in guard_api.get("staff/incidents").json()["data"]
            if i["description"].startswith("Lampu taman mati")
        ]
        assert len(reported) == 1
        detail = guard_api.get(f"staff/incidents/{reported[0]['id']}").json()["data"]
        assert len(detail["photos"]) == 1
        done = next(
            t for t in cleaner_api.get("staff/tasks").json()["data"] if t["id"] == task["id"]
        )
        assert done["status"] == "done" and len(done["photos"]) == 1
        assert not done["clock_skewed"]  # judged by when the phone sent it, not by the wait

        # the page opens again later: nothing is sent twice
        tasks.reload()
        expect(tasks.locator("#outbox [data-waiting]")).to_have_text("0")
        again = guard_api.get("staff/incidents").json()["data"]
        assert len([i for i in again if i["description"].startswith("Lampu taman mati")]) == 1
        assert not problems, problems
    finally:
        browser.close()
