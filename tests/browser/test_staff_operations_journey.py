"""Journey on 360 px phones: the cleaner completes the morning sweep with a photo; the guard
checks the night's rounds, scans a checkpoint by typing its sticker's code and reports a
critical incident; the manager, on a laptop, sees the missed round of two nights ago, the
guard's scan, follows up the incident and sees the completion.
Failing on console errors, CSP violations and sideways scrolling."""

from __future__ import annotations

from datetime import timedelta

import httpx
from django.utils import timezone

from tests.browser.conftest import LiveApp, launch, screenshot, sign_in
from tests.browser.test_gate_pages import _camera_photo


def _watch(page, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_a_cleaner_a_guard_and_the_manager_at_work(live_app: LiveApp, playwright_session) -> None:
    browser = launch(playwright_session, language="id-ID")
    problems: list[str] = []
    try:
        cleaner = browser.new_page(viewport={"width": 360, "height": 800})
        _watch(cleaner, problems)
        sign_in(cleaner, live_app, "cleaner", "id")
        cleaner.goto(f"{live_app.base}/tasks/")
        sweep = cleaner.locator(".task", has_text="Sapu jalan Blok A dan B")
        sweep.locator("input[name=checked]").first.check()
        sweep.locator("input[name=photos]").set_input_files(files=[_camera_photo()])
        sweep.locator("button[value=done]").click()
        cleaner.wait_for_selector(".task:has-text('Sapu jalan Blok A dan B') .badge.task-done")
        _fits(cleaner)
        screenshot(cleaner, "task-done-360px")

        manager_api = httpx.Client(
            base_url=f"{live_app.base}/api/v1",
            headers={"Authorization": f"Bearer {live_app.api_token('manager')}"},
            timeout=30,
        )
        stickers = manager_api.get("/admin/checkpoints").json()["data"]
        token = next(c["token"] for c in stickers if c["name"] == "Kolam renang")

        guard = browser.new_context().new_page()
        guard.set_viewport_size({"width": 360, "height": 800})
        _watch(guard, problems)
        sign_in(guard, live_app, "guard", "id")
        guard.goto(f"{live_app.base}/patrol/")
        if guard.locator("#duty button[value=in]").count():
            guard.click("#duty button[value=in]")
            guard.wait_for_selector("#duty a[href$='/shift/']")
        guard.fill("#token", token)
        guard.click("#scan button[type=submit]")
        guard.wait_for_selector("text=Kolam renang dipindai pukul")
        guard.fill("#token", token.replace("KP1.graha-indah", "KP1.lain"))
        guard.click("#scan button[type=submit]")
        guard.wait_for_selector("text=Ini bukan stiker titik patroli kami.")
        _fits(guard)
        screenshot(guard, "patrol-scan-360px")
        guard.goto(f"{live_app.base}/incidents/")
        guard.select_option("#id_kind", "fire")
        guard.select_option("#id_severity", "critical")
        guard.fill("#id_location", "Ruang pompa kolam")
        guard.fill("#id_description", "Bau terbakar dari panel pompa")
        guard.set_input_files("#id_photos", files=[_camera_photo()])
        guard.click("#report button[type=submit]")
        guard.wait_for_selector("text=Pengelola langsung diberi tahu")
        assert "Ruang pompa kolam" in guard.locator("h1").inner_text()
        _fits(guard)
        screenshot(guard, "incident-reported-360px")

        laptop = browser.new_context().new_page()
        laptop.set_viewport_size({"width": 1280, "height": 900})
        _watch(laptop, problems)
        sign_in(laptop, live_app, "manager", "id")
        two_nights_ago = timezone.localdate() - timedelta(days=2)
        laptop.goto(f"{live_app.base}/manage/patrols/night/?night={two_nights_ago}")
        missed = laptop.locator("#rounds .round", has_text="02:00")
        assert "Tidak lengkap" in missed.inner_text()
        assert missed.locator(".missed").count() == 6
        assert laptop.locator("#plan svg circle").count() >= 6
        laptop.goto(f"{live_app.base}/manage/patrols/night/")
        assert "Kolam renang" in laptop.locator("#timeline").inner_text()
        laptop.goto(f"{live_app.base}/incidents/?severity=critical&status=open")
        laptop.click("#log a:has-text('Ruang pompa kolam')")
        assert laptop.locator("#incident img").count() == 1
        laptop.select_option("#id_status", "investigating")
        laptop.fill("#id_note", "Teknisi dipanggil")
        laptop.click("#follow-up button[type=submit]")
        laptop.wait_for_selector("#history li:has-text('Teknisi dipanggil')")
        laptop.goto(f"{live_app.base}/manage/tasks/done/?status=done")
        done = laptop.locator("#work tr", has_text="Sapu jalan Blok A dan B")
        assert done.locator("img").count() == 1
        screenshot(laptop, "work-done-laptop")
        phone_manager = browser.new_context().new_page()
        phone_manager.set_viewport_size({"width": 360, "height": 800})
        _watch(phone_manager, problems)
        sign_in(phone_manager, live_app, "manager", "id")
        phone_manager.goto(f"{live_app.base}/manage/patrols/night/?night={two_nights_ago}")
        _fits(phone_manager)
        assert problems == []
    finally:
        browser.close()
