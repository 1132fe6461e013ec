"""Journey: a person invited by the manager registers on a 360 px phone in Indonesian,
agreeing to the privacy notice; downloads a copy of everything about them; asks to be
deleted → the manager, on a laptop in English, sees the request with its time left and
anonymises them → they can no longer sign in."""

from __future__ import annotations

import io
import re
import time
import uuid
import zipfile
from typing import Any

from tests.browser.conftest import (
    LiveApp,
    fits_without_violations,
    launch,
    screenshot,
    sign_in,
    watched_page,
)


def _code_sent_to(app: LiveApp, name: str, within: float = 60) -> str:
    """The invitation code, as the embedded default's SMS goes to the log (the phone number
    itself is redacted there)."""
    deadline = time.monotonic() + within
    pattern = re.compile(rf"Halo {re.escape(name)},.*?: ([A-Z0-9-]{{6,}})\.")
    while not (found := pattern.search(app.log.read_text(errors="replace"))):
        assert time.monotonic() < deadline, f"no invitation for {name} after {within} s"
        time.sleep(0.25)
    return found.group(1)


def _until_download(page: Any, within: float = 90) -> str:
    """The copy is made on the queue: reload the page until its link is there."""
    deadline = time.monotonic() + within
    link = page.locator("#my-requests a[download]")
    while link.count() == 0:
        assert time.monotonic() < deadline, f"no copy to download after {within} s"
        time.sleep(0.5)
        page.reload()
    return str(link.first.get_attribute("href"))


def test_a_person_takes_their_data_and_is_forgotten(live_app: LiveApp, playwright_session):
    suffix = f"{uuid.uuid4().int % 10**6:06d}"
    local_phone, phone = f"08139{suffix}", f"+628139{suffix}"
    name = f"Dewi Privasi {suffix}"
    manager_api = live_app.api("manager")
    # the code is sent at once whatever the hour: no quiet hours, whatever a journey left
    manager_api.patch(
        "admin/notifications/settings", json={"quiet_start": "00:00", "quiet_end": "00:00"}
    ).raise_for_status()
    units = manager_api.get("admin/units", params={"per_page": 100}).json()["data"]
    unit = next(u for u in units if (u["block"], u["number"]) == ("D", "10"))
    invited = manager_api.post(
        "admin/invitations",
        json={
            "unit_id": unit["id"],
            "name": name,
            "phone": local_phone,
            "occupancy_role": "renter",
        },
    )
    assert invited.status_code == 201, invited.text
    code = _code_sent_to(live_app, name)

    browser = launch(playwright_session, language="id-ID")
    problems: list[str] = []
    try:
        person = watched_page(browser, 360, problems, locale="id-ID")
        person.goto(f"{live_app.base}/register?code={code}")
        assert "Pemberitahuan privasi" in person.inner_text("main")
        person.fill("input[name=phone]", local_phone)
        person.fill("input[name=password]", "rumah-baru-77")
        person.check("input[name=accept_privacy]")
        person.click("main form button[type=submit]")
        person.wait_for_load_state()
        assert name in person.inner_text("main")  # welcomed home
        fits_without_violations(person)

        person.goto(f"{live_app.base}/privacy/")
        person.select_option("#ask select[name=kind]", "access")
        person.click("#ask button[type=submit]")
        href = _until_download(person)
        fits_without_violations(person)
        screenshot(person, "privacy-copy-360px")
        download = person.request.get(f"{live_app.root}{href}")
        assert download.status == 200
        archive = zipfile.ZipFile(io.BytesIO(download.body()))
        resident = archive.read("data/estate.Resident.json").decode()
        assert name in resident and phone in resident
        assert "081100000002" not in str(archive.namelist()) + resident  # nobody else's

        person.select_option("#ask select[name=kind]", "deletion")
        person.click("#ask button[type=submit]")
        assert "Permintaan diterima" in person.inner_text(".toasts")

        manager = watched_page(browser, 1366, problems, locale="en-US")
        sign_in(manager, live_app, "manager", "en")
        manager.goto(f"{live_app.base}/manage/privacy/")
        row = manager.locator("tr", has_text=name)
        assert "left" in row.inner_text()  # within the 3 × 24 hours
        row.locator("a").first.click()
        manager.click("#complete button[type=submit]")
        assert "Completed" in manager.inner_text("#request-status")
        fits_without_violations(manager)
        screenshot(manager, "privacy-deletion-done-1366px")

        again = watched_page(browser, 360, problems, locale="id-ID")
        again.goto(f"{live_app.base}/login")
        again.fill("input[name=username]", local_phone)
        again.fill("input[name=password]", "rumah-baru-77")
        again.click("main form button[type=submit]")
        again.wait_for_load_state()
        assert again.url.endswith("/login")  # nobody signs in as them any more
        assert problems == []
    finally:
        browser.close()
