"""``klustera keys check [--tenant SLUG] [--rewrap]``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.tenancy.keys import check_keys
from klustera.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Check that every encrypted value in every complex opens with ENCRYPTION_KEYS (before "
        "retiring a key); --rewrap encrypts what an older key holds with the current one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help=self.help)
        check.add_argument("--tenant", help="Only this complex (and the platform).")
        check.add_argument(
            "--rewrap", action="store_true", help="Re-encrypt older keys' values with the first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.exclude(status=Tenant.Status.PROVISIONING)
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No complex '{options['tenant']}'.")
        columns = check_keys(tenants, rewrap=options["rewrap"])
        for column in columns:
            keys = ", ".join(f"key {i + 1}: {n}" for i, n in sorted(column.by_key.items()))
            line = f"{column.complex}  {column.column}  {keys or 'none open'}"
            if column.unreachable:
                line = f"{column.complex}  UNCHECKED: its database cannot be reached"
            if column.unreadable:
                line += f"  UNREADABLE: {column.unreadable}"
            if column.rewrapped:
                line += f"  re-encrypted with key 1: {column.rewrapped}"
            self.stdout.write(line)
        unreadable = sum(c.unreadable for c in columns)
        older = sum(c.older - c.rewrapped for c in columns)
        total = sum(sum(c.by_key.values()) for c in columns) + unreadable
        self.stdout.write(
            f"{total} encrypted values, {len(settings.ENCRYPTION_KEYS)} key(s) configured; "
            f"{older} still need an older key."
        )
        unreachable = [c.complex for c in columns if c.unreachable]
        if unreachable:
            raise CommandError(
                f"Not checked, their databases cannot be reached: {', '.join(unreachable)}."
            )
        if unreadable:
            raise CommandError(
                f"{unreadable} value(s) open with no configured key: put the key they were "
                "encrypted with back in ENCRYPTION_KEYS before anything else."
            )
        if older:
            self.stdout.write("Keep the older keys, or run with --rewrap, before retiring one.")
        else:
            self.stdout.write("Every value opens with the first key: the others can be retired.")
