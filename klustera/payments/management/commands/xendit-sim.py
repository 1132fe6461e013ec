"""``klustera xendit-sim``: the local Xendit simulator, as ``make run`` starts it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from klustera.payments.simulator import XenditSimulator, serve


class Command(BaseCommand):
    help = "Serve the local Xendit simulator (sessions, v3 payment requests, hosted checkout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument(
            "--accounts",
            default=str(Path(settings.VAR_DIR) / "xendit-sim.json"),
            help="JSON list of {secret_key, callback_token, callback_url, for_user_id}",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        simulator = XenditSimulator(accounts_file=Path(options["accounts"]))
        with serve(simulator, port=options["port"]) as base:
            self.stdout.write(f"Xendit simulator on {base} (accounts: {options['accounts']})")
            self.stdout.flush()
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
