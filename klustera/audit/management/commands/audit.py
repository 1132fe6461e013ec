"""``klustera audit verify [--tenant SLUG]``: recompute each complex's audit chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.audit.services import verify_trail
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Check that the audit trails were not edited: recompute their hash chains."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Recompute the chain; report the first break.")
        verify.add_argument("--tenant", help="Only this complex (default: every one).")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.order_by("slug")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant '{options['tenant']}'.")
        broken = 0
        for tenant in tenants:
            with tenant_context(tenant):
                verdict = verify_trail()
            if verdict.broken is None:
                self.stdout.write(f"{tenant.slug}: intact, {verdict.checked} entries")
            else:
                broken += 1
                where = verdict.broken
                self.stdout.write(f"{tenant.slug}: BROKEN at entry {where.seq}: {where.reason}")
        if broken:
            raise CommandError(f"{broken} audit trail(s) broken.")
