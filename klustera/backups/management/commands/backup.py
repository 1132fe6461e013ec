"""``klustera backup run|list|restore|prune|keygen``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pyrage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from klustera.backups.services import (
    PLATFORM,
    BackupFailed,
    RestoreRefused,
    back_up_complex,
    fetch_backup,
    latest_backup,
    prune_backups,
    replace_from_backup,
    restore_backup,
    run_drill,
    stored_backups,
)
from klustera.tenancy.errors import DatabaseToolFailed
from klustera.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Back up complexes (encrypted), list backups, restore one, prune by retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Back up one complex, or every one and the platform.")
        which = run.add_mutually_exclusive_group(required=True)
        which.add_argument("--tenant", help="The complex's address (slug).")
        which.add_argument("--all", action="store_true", help="Every served complex.")
        listing = sub.add_parser("list", help="The complete backups in the target, newest first.")
        listing.add_argument("--tenant")
        restore = sub.add_parser(
            "restore", help="Restore a backup into a new complex, or in place of the live one."
        )
        restore.add_argument("--tenant", required=True)
        restore.add_argument(
            "--backup", required=True, help="Its id (from `backup list`), or `latest`."
        )
        where = restore.add_mutually_exclusive_group(required=True)
        where.add_argument("--into", help="The new complex's address.")
        where.add_argument(
            "--replace",
            action="store_true",
            help="In place of the live complex's database (kept aside); asks to type its address.",
        )
        restore.add_argument("--confirm", help="With --replace, unattended: the address typed.")
        restore.add_argument(
            "--identity", required=True, help="The file holding the age secret key."
        )
        fetch = sub.add_parser(
            "fetch", help="Decrypt a backup to a file, checked (the platform's is put back so)."
        )
        fetch.add_argument("--tenant", required=True, help=f"The complex, or {PLATFORM}.")
        fetch.add_argument("--backup", required=True, help="Its id, or `latest`.")
        fetch.add_argument("--identity", required=True)
        fetch.add_argument("--to", required=True, help="The file to write (must not exist).")
        drill = sub.add_parser(
            "drill", help="Restore a complex's latest backup into a scratch complex, check, drop."
        )
        drill.add_argument("--tenant", required=True)
        drill.add_argument("--identity", required=True)
        prune = sub.add_parser("prune", help="Drop what the retention does not keep.")
        prune.add_argument("--tenant")
        sub.add_parser("keygen", help="Print a new age key pair.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except (BackupFailed, RestoreRefused, DatabaseToolFailed) as exc:
            raise CommandError(str(exc)) from exc

    def handle_run(self, options: dict[str, Any]) -> None:
        if options["tenant"]:
            slugs = [self._tenant(options["tenant"]).slug]
        else:
            served = Tenant.objects.exclude(status=Tenant.Status.CANCELLED)
            slugs = [PLATFORM, *served.values_list("slug", flat=True)]
        failed = []
        for name in slugs:  # each independent: one failure does not stop the others
            try:
                manifest = back_up_complex(name)
            except Exception as exc:
                failed.append(f"{name} ({exc})")
                self.stderr.write(f"{name}: FAILED — {exc}")
                continue
            self.stdout.write(f"{name}: {manifest['id']} ({manifest['size']:,} bytes)")
        if failed:
            raise CommandError(f"{len(failed)} backup(s) failed: {'; '.join(failed)}")

    def handle_list(self, options: dict[str, Any]) -> None:
        for stored in stored_backups(options["tenant"]):
            manifest = stored.manifest
            self.stdout.write(
                f"{stored.complex}  {stored.id}  {manifest['engine']}  "
                f"{manifest['size']:,} bytes  {sum(manifest['rows'].values()):,} rows"
            )

    def handle_fetch(self, options: dict[str, Any]) -> None:
        slug = options["tenant"]
        backup_id = latest_backup(slug) if options["backup"] == "latest" else options["backup"]
        manifest = fetch_backup(
            slug=slug,
            backup_id=backup_id,
            identity=Path(options["identity"]).read_text(),
            to=Path(options["to"]),
        )
        kind = "SQLite database" if manifest["engine"] == "sqlite" else "pg_dump -Fc archive"
        self.stdout.write(f"{slug} {backup_id}: {options['to']} ({kind}), checksum verified.")

    def handle_restore(self, options: dict[str, Any]) -> None:
        identity = Path(options["identity"]).read_text()
        if options["backup"] == "latest":
            options["backup"] = latest_backup(options["tenant"])
        if options["replace"]:
            confirm = options["confirm"]
            if confirm is None and sys.stdin.isatty():
                confirm = input(
                    f"This replaces the live database of {options['tenant']} with backup "
                    f"{options['backup']}. Type its address to go on: "
                )
            replaced = replace_from_backup(
                slug=options["tenant"],
                backup_id=options["backup"],
                identity=identity,
                confirm=(confirm or "").strip(),
            )
            migrated = f"; migrated forward: {len(replaced.migrated)}" if replaced.migrated else ""
            kept = (
                f"The database it had is kept in the suspended complex {replaced.kept.slug} "
                "until you drop it."
                if replaced.kept
                else "The database it had was lost: nothing to keep."
            )
            self.stdout.write(
                f"{replaced.tenant.slug} now runs on backup {options['backup']} "
                f"({replaced.tenant.status}){migrated}. {kept}"
            )
            return
        restored = restore_backup(
            slug=options["tenant"],
            backup_id=options["backup"],
            identity=identity,
            into=options["into"],
        )
        migrated = f"; migrated forward: {len(restored.migrated)}" if restored.migrated else ""
        self.stdout.write(
            f"Restored into {restored.tenant.slug} (suspended: resume it to open it){migrated}. "
            "Rows and ledger equal the manifest."
        )

    def handle_drill(self, options: dict[str, Any]) -> None:
        identity = Path(options["identity"]).read_text()
        drill = run_drill(self._tenant(options["tenant"]).slug, identity)
        if not drill.ok:
            raise CommandError(f"Drill of {drill.complex} failed: {drill.detail}")
        self.stdout.write(
            f"Drill of {drill.complex} {drill.backup_id}: passed in {drill.seconds:.1f} s "
            f"({drill.detail})."
        )

    def handle_prune(self, options: dict[str, Any]) -> None:
        slugs = [options["tenant"]] if options["tenant"] else None
        for slug in slugs or sorted({s.complex for s in stored_backups()}):
            dropped = prune_backups(slug)
            self.stdout.write(f"{slug}: {len(dropped)} dropped")

    def handle_keygen(self, options: dict[str, Any]) -> None:
        identity = pyrage.x25519.Identity.generate()
        self.stdout.write(f"# public key (BACKUP_AGE_RECIPIENTS): {identity.to_public()}")
        self.stdout.write(str(identity))

    @staticmethod
    def _tenant(slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No complex '{slug}'.")
        return tenant
