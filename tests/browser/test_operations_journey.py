"""Journey: the platform operator, on a 360 px phone in Indonesian, opens the operations page —
queues, the last hour, databases, the demo complex's backup and restore drill (taken with the
operator's commands) — and retries a failed task, which the worker then runs;
on a laptop in English they end a complex's service, typing its address to confirm, and the
complex answers 410 while its database stays."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import pyrage

from klustera.observability.operators import email_operators
from klustera.tasks import queue
from tests.browser.conftest import (
    PASSWORD,
    LiveApp,
    choose_language,
    fits_without_violations,
    launch,
    watched_page,
)

OPERATOR = "081100000000"


def _a_failed_task(app: LiveApp) -> str:  # its name
    """A task that failed its last attempt, as the worker records it (its cause since fixed:
    with no operators' address configured the email is a no-op)."""
    task = email_operators.s("Uji", "Dicoba ulang dari halaman operasional")
    with sqlite3.connect(app.log.parent / "platform.sqlite3") as db:
        db.execute(
            "INSERT INTO observability_failedtask"
            " (queue, task, complex, error, message, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                "email",
                task.name,
                "",
                "SMTPServerDisconnected: Connection unexpectedly closed",
                queue("email").serialize_task(task),
                *[datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")] * 2,
            ),
        )
    return str(task.name)


def _until_completed(app: LiveApp, task: str, within: float = 60) -> None:
    """Until the app's own metrics count a completed run of ``task`` (any worker process)."""
    deadline = time.monotonic() + within
    wanted = ("klustera_tasks_total{", f'task="{task}"', 'outcome="complete"')
    while not any(
        all(part in line for part in wanted) and float(line.rsplit(" ", 1)[1]) >= 1
        for line in httpx.get(f"{app.root}/metrics").text.splitlines()
    ):
        assert time.monotonic() < deadline, f"{task} did not complete within {within} s"
        time.sleep(0.25)


def _back_up_and_drill(app: LiveApp) -> None:
    """The demo complex backed up and drilled with the commands an operator runs."""
    key = pyrage.x25519.Identity.generate()
    identity = app.log.parent / "drill.key"
    identity.write_text(str(key))
    env = {
        **os.environ,
        "KLUSTERA_VAR_DIR": str(app.log.parent),
        "BACKUP_AGE_RECIPIENTS": str(key.to_public()),
    }
    env.pop("DATABASE_URL", None)
    for command in (
        ["run", "--tenant", "graha-indah"],
        ["drill", "--tenant", "graha-indah", "--identity", str(identity)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "klustera", "backup", *command],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]


def _sign_in_operator(page, app: LiveApp) -> None:
    page.goto(f"{app.root}/login")
    page.fill("input[name=username]", OPERATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_the_operator_watches_operations_and_ends_a_service(
    live_app: LiveApp, playwright_session
) -> None:
    task_name = _a_failed_task(live_app)
    _back_up_and_drill(live_app)
    browser = launch(playwright_session, language="id-ID")
    problems: list[str] = []
    try:
        phone = watched_page(browser, 360, problems, locale="id-ID")
        _sign_in_operator(phone, live_app)
        choose_language(phone, "id")
        phone.get_by_role("link", name="Operasional").first.click()
        phone.wait_for_load_state()
        assert phone.inner_text("h1") == "Operasional"
        queues = phone.inner_text("#queues")
        assert all(name in queues for name in ("billing", "documents", "notifications", "sms"))
        assert "Dihitung sejak" in phone.inner_text("#last-hour")
        backups = phone.locator("#backups tr", has_text="graha-indah").inner_text()
        assert "lulus" in backups and "belum pernah" not in backups  # backed up, drill passed
        assert "GET" in phone.inner_text("#routes")  # the requests of this journey, counted
        fits_without_violations(phone)

        row = phone.locator("#failed-tasks tr", has_text="email_operators")
        assert "SMTPServerDisconnected" in row.inner_text()
        row.get_by_role("button", name="Coba ulang").click()
        phone.wait_for_load_state()
        assert "masuk antrean lagi" in phone.inner_text(".toasts")
        assert (
            "dicoba ulang"
            in phone.locator("#failed-tasks tr", has_text="email_operators").inner_text()
        )
        _until_completed(live_app, task_name)  # the worker ran it again
        fits_without_violations(phone)

        laptop = watched_page(browser, 1280, problems, locale="en-US")
        _sign_in_operator(laptop, live_app)
        choose_language(laptop, "en")
        laptop.goto(f"{live_app.root}/platform/")
        form = laptop.locator("form", has_text="New complex")
        form.locator("[name=name]").fill("Griya Uji")
        form.locator("[name=slug]").fill("griya-uji")
        form.locator("[name=max_units]").fill("30")
        form.locator("[name=manager_name]").fill("Pak Uji")
        form.locator("[name=manager_phone]").fill("081288880001")
        form.locator("[name=manager_password]").fill("uji-pass-123")
        form.get_by_role("button", name="Create the complex").click()
        laptop.wait_for_load_state()
        assert "Griya Uji is ready" in laptop.inner_text(".toasts")
        assert httpx.get(f"{live_app.root}/c/griya-uji/login").status_code == 200

        row = laptop.locator("tr", has_text="griya-uji")
        row.get_by_role("button", name="Cancel…").click()
        dialog = row.locator("dialog")
        dialog.locator("[name=confirm_slug]").fill("griya-uji")
        dialog.get_by_role("button", name="End the service").click()
        laptop.wait_for_load_state()
        assert "Griya Uji updated" in laptop.inner_text(".toasts")
        ended = laptop.inner_text("#ended")
        assert "Griya Uji" in ended and "kept" in ended
        fits_without_violations(laptop)
        assert httpx.get(f"{live_app.root}/c/griya-uji/login").status_code == 410
        laptop.goto(f"{live_app.root}/platform/operations/")
        assert laptop.inner_text("h1") == "Operations"
        fits_without_violations(laptop)
        assert problems == []
    finally:
        browser.close()
