"""``klustera demo``: create the demo complex once and print its logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.demo.seed import LOGINS, PASSWORD, PLATFORM_ADMIN, SLUG, ensure_demo


class Command(BaseCommand):
    help = "Create the demo complex graha-indah (once) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="create it even with KLUSTERA_ENV=production (its passwords are public)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "Not on a production server: the demo's logins and passwords are public. "
                "Add --force if this server is a demo."
            )
        _, created = ensure_demo()
        self.stdout.write(f"Demo complex {SLUG} {'created' if created else 'already present'}.")
        self.stdout.write(f"Open http://localhost:8000/c/{SLUG}/ and sign in with:")
        for login in LOGINS:
            self.stdout.write(f"  {login.role:<18} {login.phone}  password {PASSWORD}")
        self.stdout.write("The platform console: http://localhost:8000/platform/ with:")
        self.stdout.write(
            f"  {PLATFORM_ADMIN.role:<18} {PLATFORM_ADMIN.phone}  password {PASSWORD}"
        )
