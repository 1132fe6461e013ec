"""``klustera billing run --tenant SLUG --period 2026-12``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.billing.services import generate_invoices, parse_period
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Billing of a complex: run the invoices of a month."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Create every unit's invoice for a month (idempotent).")
        run.add_argument("--tenant", required=True, help="The complex's slug.")
        run.add_argument("--period", required=True, help="The month, YYYY-MM.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"], status=Tenant.Status.ACTIVE).first()
        if tenant is None:
            raise CommandError(f"No active complex '{options['tenant']}'.")
        with tenant_context(tenant):
            try:
                period = parse_period(options["period"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            run = generate_invoices(period=period)
        self.stdout.write(
            f"{tenant.slug} {period:%Y-%m}: {run.created} created, {run.skipped} skipped, "
            f"{run.failed} failed"
        )
        for failure in run.failures:
            self.stdout.write(f"  {failure['unit']}: {failure['error']}")
