"""``klustera tenants create|list|suspend|resume|cancel|migrate|move``."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.tenancy.errors import DatabaseToolFailed, MoveRefused, ProvisioningError
from klustera.tenancy.models import Tenant
from klustera.tenancy.moving import move_tenant
from klustera.tenancy.services import (
    NewManager,
    cancel_tenant,
    migrate_all,
    provision_tenant,
    resume_tenant,
    suspend_tenant,
)


class Command(BaseCommand):
    help = "Create, list, suspend, resume, cancel, migrate and move tenants (complexes)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        create = sub.add_parser("create", help="Provision a new complex with its own database.")
        create.add_argument("--name", required=True)
        create.add_argument("--slug", required=True)
        create.add_argument("--domain", help="A custom domain for the complex.")
        create.add_argument("--manager-phone", required=True)
        create.add_argument("--manager-name", default="Pengelola")
        create.add_argument("--manager-password", help="Prompted for when omitted.")
        create.add_argument("--plan", choices=Tenant.Plan.values, default=Tenant.Plan.FREE)
        create.add_argument("--time-zone", choices=Tenant.TimeZone.values, default="Asia/Jakarta")
        create.add_argument("--locale", choices=Tenant.Locale.values, default="id")
        create.add_argument("--cluster", default="default", help="Database cluster name.")
        create.add_argument("--max-units", type=int, default=50)

        sub.add_parser("list", help="List every complex with its status and database.")
        for action in ("suspend", "resume"):
            p = sub.add_parser(action, help=f"{action.capitalize()} a complex.")
            p.add_argument("slug")
        cancel = sub.add_parser(
            "cancel", help="End a complex's service and plan; its database is kept."
        )
        cancel.add_argument("slug")
        migrate = sub.add_parser(
            "migrate", help="Migrate the platform database and every tenant (or one)."
        )
        migrate.add_argument("--tenant", help="Only this tenant's database.")
        migrate.add_argument(
            "--parallel", type=int, default=1, help="Processes migrating complexes at once."
        )
        move = sub.add_parser(
            "move",
            help="Move a complex's database to another cluster: not served meanwhile (503), "
            "copied, verified row by row, switched; the old database is kept.",
        )
        move.add_argument("slug")
        move.add_argument("--cluster", required=True, help="The cluster to move it to.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(options)

    def _tenant(self, slug: str) -> Tenant:
        try:
            return Tenant.objects.get(slug=slug)
        except Tenant.DoesNotExist:
            raise CommandError(f"No tenant '{slug}'.") from None

    def handle_create(self, options: dict[str, Any]) -> None:
        password = options["manager_password"]
        if password is None and sys.stdin.isatty():
            password = getpass.getpass("Password for the first manager: ")
        try:
            tenant = provision_tenant(
                name=options["name"],
                slug=options["slug"],
                domain=options["domain"],
                plan=options["plan"],
                time_zone=options["time_zone"],
                locale=options["locale"],
                cluster=options["cluster"],
                max_units=options["max_units"],
                manager=NewManager(
                    phone=options["manager_phone"], name=options["manager_name"], password=password
                ),
            )
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {tenant} in {tenant.db_name}"))

    def handle_list(self, options: dict[str, Any]) -> None:
        tenants = Tenant.objects.prefetch_related("domains")
        if not tenants:
            self.stdout.write("No tenants yet.")
        for tenant in tenants:
            domains = ",".join(d.host for d in tenant.domains.all()) or "-"
            self.stdout.write(
                f"{tenant.slug:<24} {tenant.status:<12} {tenant.plan:<10} "
                f"{tenant.db_cluster}:{tenant.db_name}  {domains}"
            )

    def handle_suspend(self, options: dict[str, Any]) -> None:
        tenant = suspend_tenant(tenant=self._tenant(options["slug"]))
        self.stdout.write(f"{tenant.slug} suspended.")

    def handle_resume(self, options: dict[str, Any]) -> None:
        try:
            tenant = resume_tenant(tenant=self._tenant(options["slug"]))
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{tenant.slug} active again.")

    def handle_cancel(self, options: dict[str, Any]) -> None:
        try:
            tenant = cancel_tenant(tenant=self._tenant(options["slug"]))
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{tenant.slug} cancelled; its database {tenant.db_name} is kept.")

    def handle_migrate(self, options: dict[str, Any]) -> None:
        if options["tenant"]:
            chosen = [self._tenant(options["tenant"])]
        else:
            call_command("migrate", database="default", interactive=False, verbosity=0)
            self.stdout.write("platform: ok")
            chosen = None

        def report(tenant: Tenant, outcome: str) -> None:
            self.stdout.write(f"{tenant.slug}: {outcome}")

        failed = migrate_all(tenants=chosen, report=report, parallel=max(options["parallel"], 1))
        if failed:
            raise CommandError(f"{len(failed)} tenant(s) failed to migrate.")

    def handle_move(self, options: dict[str, Any]) -> None:
        try:
            moved = move_tenant(tenant=self._tenant(options["slug"]), cluster=options["cluster"])
        except (MoveRefused, DatabaseToolFailed) as exc:
            raise CommandError(f"Not moved: {exc}") from exc
        kept = moved.kept
        self.stdout.write(
            self.style.SUCCESS(
                f"{moved.tenant.slug} is on {moved.tenant.db_cluster} now "
                f"({moved.tenant.db_name}): {moved.tables} tables and {moved.rows} rows verified; "
                f"not served for {moved.seconds:.1f} s."
            )
        )
        self.stdout.write(
            f"The old database is kept, read-only, as {kept.slug} "
            f"({kept.db_cluster}:{kept.db_name}); drop it by hand when it is no longer needed."
        )
