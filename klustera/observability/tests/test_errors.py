"""Server errors told to the operators: through Sentry's own client when SENTRY_DSN is set
(tagged, personal data out), else one Slack message and email per error per window, sent
from the queue so a Slack that is down never breaks a request."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli
import pytest
import sentry_sdk
from django.core import mail
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from klustera.observability import sentry
from tests.metrics import sample

PHONE = "081234567890"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"no resident with {PHONE}")


def other(request: HttpRequest) -> HttpResponse:
    raise KeyError("unit")


def third(request: HttpRequest) -> HttpResponse:
    raise ValueError("a third kind")


urlpatterns = [
    path("boom", boom),
    path("other", other),
    path("third", third),
    path("", include("klustera.urls")),  # the error page links home
]


class Collector:
    """A local HTTP server that keeps what is posted to it (Slack's webhook, Sentry's store)."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[bytes] = []
        self.status = status
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                encoding = self.headers.get("Content-Encoding")
                if encoding == "gzip":
                    raw = gzip.decompress(raw)
                elif encoding == "br":
                    raw = brotli.decompress(raw)
                collector.bodies.append(raw)
                self.send_response(collector.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> Collector:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing_views(settings) -> Iterator[None]:
    settings.ROOT_URLCONF = __name__
    settings.SENTRY_DSN = ""
    settings.ALERT_EMAILS = ["ops@klustera.test"]
    settings.ERROR_SUMMARY_WINDOW = 600
    cache.delete_many(["global:errors-told"])
    yield


def _fail(url: str, times: int = 1) -> None:
    client = Client(raise_request_exception=False)
    for _ in range(times):
        assert client.get(url).status_code == 500


def test_a_flood_of_one_error_is_told_once_per_window(failing_views, settings, tenant_a) -> None:
    with Collector() as slack:
        settings.ALERT_SLACK_WEBHOOK_URL = f"{slack.url}/hook"
        _fail("/c/alpha/boom", times=30)
        assert len(slack.bodies) == 1 and len(mail.outbox) == 1
        text = json.loads(slack.bodies[0])["text"]
        assert "RuntimeError on GET boom in alpha" in text
        assert "observability/tests/test_errors.py:" in text  # the line that raised
        assert PHONE not in text and "…7890" in text  # the phone redacted
        assert mail.outbox[0].to == ["ops@klustera.test"]
        assert mail.outbox[0].subject == "[Klustera] RuntimeError on boom"

        _fail("/c/alpha/other", times=5)  # another error: told too, once
        assert len(slack.bodies) == 2
        settings.ERROR_SUMMARIES_PER_WINDOW = 2  # the window's allowance is spent
        _fail("/c/alpha/third")
        assert len(slack.bodies) == 2 and len(mail.outbox) == 2

        cache.clear()  # the window has passed: the first error is told again
        _fail("/c/alpha/boom")
        assert len(slack.bodies) == 3


def test_a_slack_that_is_down_breaks_no_request(failing_views, settings, tenant_a) -> None:
    with Collector(status=503) as slack:
        settings.ALERT_SLACK_WEBHOOK_URL = f"{slack.url}/hook"
        settings.ALERT_EMAILS = []
        task = "klustera.observability.operators.post_to_slack"
        failed = sample("klustera_tasks_total", task=task, outcome="error")
        _fail("/c/alpha/boom")  # still the error page, not a second error
        assert len(slack.bodies) >= 1  # tried, and will be retried from the queue
        assert sample("klustera_tasks_total", task=task, outcome="error") - failed >= 1


def test_sentry_gets_the_error_tagged_and_without_personal_data(
    failing_views, settings, tenant_a
) -> None:
    with Collector() as server:
        settings.SENTRY_DSN = f"http://public@127.0.0.1:{server.server.server_port}/1"
        settings.ALERT_SLACK_WEBHOOK_URL = f"{server.url}/hook"  # stays quiet: Sentry tells
        sentry.start(settings.SENTRY_DSN, environment="test")
        try:
            client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer alpha.x")
            client.cookies["sessionid_alpha"] = "a-session"
            assert client.post("/c/alpha/boom", {"phone": PHONE}).status_code == 500
            sentry_sdk.flush(timeout=10)
        finally:
            sentry_sdk.init()  # no DSN: the client is off again
    raw = b"\n".join(server.bodies).decode()
    events = [json.loads(line) for line in raw.splitlines() if '"exception"' in line]
    event = next(e for e in events if e["exception"]["values"][-1]["type"] == "RuntimeError")
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["complex"] == "alpha" and event["tags"]["request_id"]
    assert PHONE not in raw and "a-session" not in raw and "alpha.x" not in raw
    assert "Authorization" not in event["request"]["headers"]
    assert "data" not in event["request"] and "cookies" not in event["request"]
