"""End to end: Debian's Prometheus scrapes the running app, evaluates the repository's alert
rules, and Debian's Alertmanager delivers the alert to a webhook receiver when more than 5 %
of the app's answers are server errors (a complex whose database cluster is gone: 503)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import installed
from tests.browser.conftest import LiveApp, _free_port

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"


def _tool(name: str) -> str:
    return installed(name, "prometheus prometheus-alertmanager")


class Receiver:
    """A webhook receiver: what Alertmanager posts, and an event when a firing alert comes."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        self.firing = threading.Event()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.alerts.extend(body["alerts"])
                if any(a["status"] == "firing" for a in body["alerts"]):
                    receiver.firing.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@contextmanager
def _running(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def _break_a_complex(app: LiveApp) -> str:
    """A second complex whose database cluster is gone: each request to it answers 503."""
    env = {"KLUSTERA_VAR_DIR": str(app.log.parent)}
    klustera = [sys.executable, "-m", "klustera"]
    for command in (
        ["tenants", "create", "--name", "Rusak", "--slug", "rusak", "--manager-phone",
         "081377700001", "--manager-password", "pw-x-123456"],
        ["shell", "-c", "from klustera.tenancy.models import Tenant; "
         "Tenant.objects.filter(slug='rusak').update(db_cluster='gone')"],
    ):  # fmt: skip
        subprocess.run(
            [*klustera, *command], env={**_environ(), **env}, check=True, capture_output=True,
            timeout=120,
        )  # fmt: skip
    return f"{app.root}/c/rusak/"


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}


def test_server_errors_over_five_percent_reach_alertmanager(live_app: LiveApp, tmp_path) -> None:
    prometheus, alertmanager = _tool("prometheus"), _tool("prometheus-alertmanager")
    broken = _break_a_complex(live_app)
    receiver = Receiver()
    hook = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    prom_port, am_port = _free_port(), _free_port()
    app_address = live_app.root.removeprefix("http://")

    # The repository's rules, evaluated at once instead of after their "for" (minutes).
    rules = RULES.read_text()
    for wait in ("5m", "10m"):
        rules = rules.replace(f"for: {wait}", "for: 0s")
    (tmp_path / "alerts.yml").write_text(rules)
    (tmp_path / "prometheus.yml").write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": ["alerts.yml"],
                "alerting": {
                    "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]
                },
                "scrape_configs": [
                    {"job_name": "klustera", "static_configs": [{"targets": [app_address]}]}
                ],
            }
        )
    )
    (tmp_path / "alertmanager.yml").write_text(
        json.dumps(
            {
                "route": {
                    "receiver": "hook",
                    "group_by": ["alertname"],
                    "group_wait": "1s",
                    "group_interval": "1s",
                    "repeat_interval": "1h",
                },
                "receivers": [
                    {
                        "name": "hook",
                        "webhook_configs": [{"url": f"http://127.0.0.1:{hook.server_port}/alerts"}],
                    }
                ],
            }
        )
    )
    try:
        with (
            _running(
                [
                    alertmanager,
                    f"--config.file={tmp_path / 'alertmanager.yml'}",
                    f"--storage.path={tmp_path / 'am-data'}",
                    f"--web.listen-address=127.0.0.1:{am_port}",
                    "--cluster.listen-address=",
                ],
                tmp_path / "alertmanager.log",
            ),
            _running(
                [
                    prometheus,
                    f"--config.file={tmp_path / 'prometheus.yml'}",
                    f"--storage.tsdb.path={tmp_path / 'prom-data'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                ],
                tmp_path / "prometheus.log",
            ),
            httpx.Client(timeout=10) as client,
        ):
            assert client.get(broken).status_code == 503
            # Traffic until the alert arrives: 503s, far more than 5 % of the answers.
            for _ in range(600):
                for _ in range(5):
                    client.get(broken)
                if receiver.firing.wait(timeout=0.2):
                    break
            else:
                logs = "\n".join(
                    (tmp_path / name).read_text()[-3000:]
                    for name in ("prometheus.log", "alertmanager.log")
                )
                pytest.fail(f"no alert reached the receiver in two minutes\n{logs}")
    finally:
        hook.shutdown()

    firing = [a for a in receiver.alerts if a["status"] == "firing"]
    names = {a["labels"]["alertname"] for a in firing}
    assert "KlusteraServerErrors" in names, receiver.alerts
    alert = next(a for a in firing if a["labels"]["alertname"] == "KlusteraServerErrors")
    assert alert["labels"]["severity"] == "critical"
    assert alert["annotations"]["summary"] == "More than 5 % of requests fail with a 5xx"
    assert "KlusteraDown" not in names  # the app answered its scrapes all along
