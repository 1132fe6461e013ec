"""``klustera privacy retention [--tenant SLUG] [--dry-run]``: apply the retention periods."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.privacy.services import apply_retention, retention_due
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Privacy housekeeping: apply each complex's retention periods."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        retention = sub.add_parser("retention", help="Clear or delete what is past its period.")
        retention.add_argument("--tenant", help="Only this complex (default: every live one).")
        retention.add_argument(
            "--dry-run", action="store_true", help="Only say what would be removed."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        live = [Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED]
        tenants = Tenant.objects.filter(status__in=live).order_by("slug")
        if options["tenant"]:
            tenants = Tenant.objects.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant '{options['tenant']}'.")
        for tenant in tenants:
            with tenant_context(tenant):
                removed = retention_due() if options["dry_run"] else apply_retention().removed
            verb = "would remove" if options["dry_run"] else "removed"
            summary = ", ".join(f"{model} {count}" for model, count in removed.items())
            self.stdout.write(f"{tenant.slug}: {verb} {summary or 'nothing'}")
