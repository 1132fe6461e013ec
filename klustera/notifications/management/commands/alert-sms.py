"""``klustera alert-sms``: Alertmanager's webhook receiver that sends critical alerts by SMS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.notifications.alerts import server


class Command(BaseCommand):
    help = "Receive Alertmanager's webhooks and send each firing alert by SMS (Twilio)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9095)

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.ALERT_SMS_TO and settings.ALERT_TWILIO_ACCOUNT_SID):
            raise CommandError("Set ALERT_SMS_TO and ALERT_TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _FROM.")
        httpd = server(options["host"], options["port"])
        self.stdout.write(f"Alert SMS relay on http://{options['host']}:{httpd.server_port}/alerts")
        self.stdout.flush()
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
