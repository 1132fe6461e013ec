"""Telling the platform's operators: a Slack webhook (``ALERT_SLACK_WEBHOOK_URL``) and email
(``ALERT_EMAILS``), each sent from a queue with a timeout and retried, so a Slack that is down
never slows a request or the work that told it."""

from __future__ import annotations

import httpx
from django.conf import settings
from django.core.mail import send_mail

from klustera.tasks import platform_task

SLACK_TIMEOUT = 5.0


def tell_operators(subject: str, text: str) -> list[str]:
    """Queue ``text`` to every channel configured; the channels it went to."""
    channels = []
    if settings.ALERT_SLACK_WEBHOOK_URL:
        post_to_slack(f"*{subject}*\n{text}")
        channels.append("slack")
    if settings.ALERT_EMAILS:
        email_operators(subject, text)
        channels.append("email")
    return channels


@platform_task("default", retries=2, retry_delay=60)
def post_to_slack(text: str) -> None:
    response = httpx.post(
        settings.ALERT_SLACK_WEBHOOK_URL, json={"text": text}, timeout=SLACK_TIMEOUT
    )
    response.raise_for_status()


@platform_task("email", retries=2, retry_delay=60)
def email_operators(subject: str, text: str) -> None:
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, settings.ALERT_EMAILS)
