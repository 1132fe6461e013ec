"""Browser tests: Debian's Chromium, driven by Playwright, against the app as ``make run`` runs.

``live_app`` starts the real thing once per session in a fresh var directory:
migrations, the demo complex, then ``klustera serve`` (gunicorn, the worker
and the Xendit simulator) on free ports. Tests act through the browser and
the API, as users do. Chromium is never downloaded: without
``/usr/bin/chromium`` these tests are skipped, or fail under
``KLUSTERA_REQUIRE_SERVICES=1`` (CI installs it). Screenshots of each final
screen go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import REQUIRE_SERVICES
from klustera.notifications.simulator import ProviderSimulator, serve

CHROMIUM = Path(os.environ.get("KLUSTERA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SLUG = "graha-indah"
PASSWORD = "klustera-demo"
LOGINS = {
    "manager": "081100000001",
    "resident": "081100000002",
    "guard": "081100000003",
    "cleaner": "081100000005",
    "facility": "081100000006",
    "neighbour": "081100000007",
}
# Chromium as root in a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveApp:
    base: str  # the complex's portal, http://127.0.0.1:<port>/c/graha-indah
    root: str  # http://127.0.0.1:<port>
    log: Path  # what ``klustera serve`` (web, worker, simulator) printed
    # The messaging providers' simulator the app's WhatsApp client reaches (when a journey
    # points the complex's settings at it; the demo itself writes WhatsApp to the console).
    messaging: ProviderSimulator

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def api_token(self, who: str) -> str:
        answer = httpx.post(
            f"{self.base}/api/v1/auth/login",
            json={"phone": LOGINS[who], "password": PASSWORD},
        )
        answer.raise_for_status()
        return str(answer.json()["data"]["access_token"])

    def api(self, who: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base}/api/v1/",
            headers={"Authorization": f"Bearer {self.api_token(who)}"},
        )


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    var = tmp_path_factory.mktemp("live-app")
    port, simulator = _free_port(), _free_port()
    env = {
        **os.environ,
        "KLUSTERA_VAR_DIR": str(var),
        "XENDIT_API_URL": f"http://127.0.0.1:{simulator}",
        "TENANT_URL_TEMPLATE": f"http://127.0.0.1:{port}/c/{{slug}}",
        # Many sign-ins from one address in a few minutes: not what is tested here.
        "RATE_LIMIT_IP": "100000/min",
        "RATE_LIMIT_PHONE": "1000/min",
    }
    env.pop("DATABASE_URL", None)
    messaging = ProviderSimulator()
    with serve(messaging) as messaging_base:
        env["WHATSAPP_GRAPH_URL"] = f"{messaging_base}/v21.0"
        yield from _serve_app(env, var, port, messaging)


# The journeys wait for messages (an invitation's code): the demo complex's quiet hours
# (21:00-07:00 WIB) would hold them until morning when the suite runs in the evening.
NO_QUIET_HOURS = """
from datetime import time
from klustera.notifications.services import notification_settings
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant
for tenant in Tenant.objects.all():
    with tenant_context(tenant):
        config = notification_settings()
        config.quiet_start = config.quiet_end = time(0, 0)
        config.save()
"""


def _serve_app(
    env: dict[str, str], var: Path, port: int, messaging: ProviderSimulator
) -> Iterator[LiveApp]:
    klustera = [sys.executable, "-m", "klustera"]
    for command in (["tenants", "migrate"], ["demo"], ["shell", "-c", NO_QUIET_HOURS]):
        subprocess.run([*klustera, *command], env=env, check=True, capture_output=True)
    log = (var / "serve.log").open("wb")
    server = subprocess.Popen(
        [*klustera, "serve", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError((var / "serve.log").read_text())
        yield LiveApp(
            base=f"{base}/c/{SLUG}", root=base, log=var / "serve.log", messaging=messaging
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


@pytest.fixture
def playwright_session() -> Iterator[Any]:
    """Playwright for one test: its sync API runs an event loop in this thread while open,
    and Django refuses database work under a running loop (the tests after these use it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


# Added to every page a journey watches: Content-Security-Policy violations are collected.
WATCH_CSP = (
    "window.violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.violations.push(e.violatedDirective));"
)


def watched_page(browser: Any, width: int, problems: list[str], locale: str | None = None) -> Any:
    """A page ``width`` pixels wide (in ``locale``, if given) whose console errors, page errors
    and CSP violations a journey fails on."""
    options: dict[str, Any] = {"viewport": {"width": width, "height": 800}}
    if locale:
        options["locale"] = locale
    page = browser.new_context(**options).new_page()
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page


def fits_without_violations(page: Any) -> None:
    """No horizontal scrolling, and nothing the Content-Security-Policy refused."""
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.evaluate("window.violations") == []


def launch(playwright: Any, *, camera: Path | None = None, language: str = "en-US") -> Any:
    """Headless Debian Chromium; with ``camera``, a fake camera showing that Y4M video."""
    args = [*CHROMIUM_ARGS, f"--lang={language}"]
    if camera is not None:
        args += [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
        ]
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)


def sign_in(page: Any, app: LiveApp, who: str, language: str = "") -> None:
    """Sign in as one of the demo's people; with ``language``, in that language (an earlier
    journey may have left the account in another: the choice is remembered)."""
    page.goto(f"{app.base}/login")
    page.fill("input[name=username]", LOGINS[who])
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    if language:
        choose_language(page, language)


def choose_language(page: Any, language: str) -> None:
    """The header's ID / EN switcher (remembered on the account)."""
    page.click(f".language-switcher button[value={language}]")
    page.wait_for_load_state()


PAGE_WEIGHT_LIMIT = 300_000  # bytes of HTML, CSS and JS transferred (issue 8)


def transferred(page: Any) -> int:
    """Bytes of the page and of everything it loaded so far, as the server sent them.

    The bodies' encoded sizes, whether or not the browser had them cached
    (a cached file's ``transferSize`` is 0).
    """
    return int(
        page.evaluate(
            "performance.getEntriesByType('navigation')[0].encodedBodySize + "
            "performance.getEntriesByType('resource').reduce((n, r) => n + r.encodedBodySize, 0)"
        )
    )


def record_page_weight(name: str, transferred: int) -> None:
    """Note a page's weight in ``test-artifacts/page-weights.txt`` for the report."""
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "page-weights.txt").open("a") as out:
        out.write(f"{name}: {transferred:,} bytes\n")


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def qr_video(text: str, path: Path, *, width: int = 640, height: int = 480) -> Path:
    """A short Y4M video of a QR code of ``text``, for Chromium's fake camera."""
    import segno

    matrix = [list(row) for row in segno.make_qr(text, error="m").matrix]
    scale, quiet = 8, 4
    size = (len(matrix) + 2 * quiet) * scale
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray([235]) * (width * height)  # white paper
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(scale):
                start = (top + (quiet + y) * scale + dy) * width + left + (quiet + x) * scale
                luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (width * height // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 10)
    return path
