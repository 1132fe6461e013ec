"""Backups: a complex's database encrypted to an age key, restored into a new complex that
equals it (rows, ledger, a sample of rows) on SQLite and PostgreSQL; damaged, foreign-keyed or
misdirected restores refused with nothing changed; grandfather-father-son retention."""

from __future__ import annotations

import json
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pyrage
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from conftest import scratch_complex
from klustera.audit.models import AuditEntry
from klustera.backups.models import BackupAttempt
from klustera.backups.retention import backups_to_keep
from klustera.backups.services import (
    RestoreRefused,
    back_up_complex,
    database_facts,
    prune_backups,
    replace_from_backup,
    restore_backup,
    stored_backups,
    take_backup,
)
from klustera.backups.targets import backup_target
from klustera.billing.models import Invoice
from klustera.billing.services import generate_invoices
from klustera.billing.services.ledger import record_payment
from klustera.billing.tests.factories import TariffFactory
from klustera.crypto import decrypt, encrypt
from klustera.estate.models import Unit
from klustera.payments.models import XenditAccount
from klustera.payments.services.account import KEY_PURPOSE as XENDIT
from klustera.tenancy import connections as tenant_connections
from klustera.tenancy import services as tenancy_services
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant

KEY = pyrage.x25519.Identity.generate()
OTHER_KEY = pyrage.x25519.Identity.generate()


@pytest.fixture
def target(settings, tmp_path) -> Path:
    settings.BACKUP_TARGET_URL = f"file://{tmp_path / 'backups'}"
    settings.BACKUP_AGE_RECIPIENTS = [str(KEY.to_public())]
    return tmp_path / "backups"


def _books(tenant: Tenant) -> None:
    """Units, a month's invoices and a payment, committed."""
    with tenant_context(tenant):
        Unit.objects.bulk_create(
            Unit(block="R", number=f"{n:02d}", land_area=Decimal(90 + n)) for n in range(12)
        )
        TariffFactory()
        generate_invoices(period=date(2026, 11, 1))
        record_payment(
            unit=Unit.objects.get(block="R", number="03"), amount=Decimal(100_000), method="cash"
        )


def _sealed(tenant: Tenant) -> None:
    with tenant_context(tenant):
        XenditAccount.objects.create(secret_key=encrypt("xnd_secret", purpose=XENDIT))


def _unsealed(tenant: Tenant) -> str:
    with tenant_context(tenant):
        return decrypt(XenditAccount.objects.get().secret_key, purpose=XENDIT)


def _units(tenant: Tenant) -> list[tuple[str, str, Decimal]]:
    with tenant_context(tenant):
        return list(
            Unit.objects.order_by("block", "number").values_list("block", "number", "land_area")
        )


@pytest.fixture(params=["default", "pg", "pgbouncer"])
def scratch(request, tenant_a):
    with scratch_complex(request.param) as tenant:
        yield tenant


def test_a_restore_equals_the_backup_not_what_came_after(scratch, target) -> None:
    _books(scratch)
    _sealed(scratch)
    manifest = take_backup(scratch)
    before = _units(scratch)
    assert manifest["rows"]["billing_invoice"] >= 12 and manifest["ledger"]["payments"] == "100000"
    with tenant_context(scratch):  # the complex goes on after its backup
        Unit.objects.create(block="R", number="99", land_area=Decimal(1))

    restored = restore_backup(
        slug=scratch.slug, backup_id=manifest["id"], identity=str(KEY), into="restored"
    )
    try:
        assert restored.tenant.status == Tenant.Status.SUSPENDED  # nobody told, nothing run
        assert _units(restored.tenant) == before  # not R-99
        assert database_facts(restored.tenant)["ledger"] == manifest["ledger"]
        assert _unsealed(restored.tenant) == "xnd_secret"  # sealed for the original, still opens
    finally:
        tenancy_services.drop_database(restored.tenant)


def test_a_backup_taken_before_a_migration_is_migrated_forward(sqlite_scratch, target) -> None:
    with tenant_context(sqlite_scratch):
        Unit.objects.create(block="M", number="01", land_area=Decimal(72))
        call_command(  # the code of last month: billing before one-off charges
            "migrate", "billing", "0010", verbosity=0,
            database=tenant_connections.alias_for(sqlite_scratch),
        )  # fmt: skip
    manifest = take_backup(sqlite_scratch)
    assert "billing.0011_invoice_kinds" not in manifest["migrations"]

    restored = restore_backup(
        slug=sqlite_scratch.slug, backup_id=manifest["id"], identity=str(KEY), into="older"
    )
    try:
        assert "billing.0011_invoice_kinds" in restored.migrated
        assert _units(restored.tenant) == [("M", "01", Decimal(72))]
        with tenant_context(restored.tenant):  # today's schema: one-off charges can be billed
            TariffFactory()
            generate_invoices(period=date(2026, 11, 1))
            assert Invoice.objects.get().kind == Invoice.Kind.MONTHLY
    finally:
        tenancy_services.drop_database(restored.tenant)


def test_replace_swaps_the_live_database_and_keeps_the_old_one(scratch, target) -> None:
    _books(scratch)
    _sealed(scratch)
    manifest = take_backup(scratch)
    before = _units(scratch)
    with tenant_context(scratch):  # a mistake made after the backup, to be undone
        Unit.objects.filter(block="R").update(land_area=Decimal(1), updated_at=timezone.now())
    mistaken = _units(scratch)
    other_thread = ThreadPoolExecutor(max_workers=1)  # another request's thread, connected

    def units_seen_elsewhere() -> list[tuple[str, str, Decimal]]:
        now = Tenant.objects.get(slug=scratch.slug)  # as that request resolves it
        return other_thread.submit(_units, now).result(timeout=60)

    assert units_seen_elsewhere() == mistaken
    complexes = Tenant.objects.count()
    with pytest.raises(RestoreRefused, match="Type the complex's address"):
        replace_from_backup(
            slug=scratch.slug, backup_id=manifest["id"], identity=str(KEY), confirm="yes"
        )
    assert Tenant.objects.count() == complexes  # nothing restored, nothing swapped

    replaced = replace_from_backup(
        slug=scratch.slug, backup_id=manifest["id"], identity=str(KEY), confirm=scratch.slug
    )
    try:
        live = Tenant.objects.get(slug=scratch.slug)
        assert live.status == Tenant.Status.ACTIVE and live.db_name != scratch.db_name
        assert _units(live) == before and units_seen_elsewhere() == before
        kept = Tenant.objects.get(slug=replaced.kept.slug)
        assert kept.status == Tenant.Status.SUSPENDED and kept.db_name == scratch.db_name
        assert _units(kept) == mistaken  # kept until an operator drops it
        assert _unsealed(live) == _unsealed(kept) == "xnd_secret"
        with tenant_context(live):
            assert AuditEntry.objects.filter(action="tenant.resumed").exists()
    finally:
        other_thread.shutdown()
        connections.close_all()
        tenancy_services.drop_database(replaced.tenant)
        assert replaced.kept is not None
        tenancy_services.drop_database(replaced.kept)


def test_a_backup_is_unreadable_without_its_key(sqlite_scratch, target) -> None:
    _books(sqlite_scratch)
    manifest = take_backup(sqlite_scratch)
    sealed = (target / sqlite_scratch.slug / manifest["id"] / "database.age").read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    assert b"SQLite format 3" not in sealed and b"billing_invoice" not in sealed
    with pytest.raises(RestoreRefused, match="cannot be decrypted with this key"):
        restore_backup(
            slug=sqlite_scratch.slug, backup_id=manifest["id"], identity=str(OTHER_KEY), into="x1"
        )
    with pytest.raises(RestoreRefused, match="not an age secret key"):
        restore_backup(
            slug=sqlite_scratch.slug, backup_id=manifest["id"], identity="hunter2", into="x1"
        )
    assert not Tenant.objects.filter(slug="x1").exists()


def test_a_damaged_backup_or_a_taken_address_is_refused_and_nothing_changes(
    sqlite_scratch, tenant_a, target, settings
) -> None:
    manifest = take_backup(sqlite_scratch)
    sealed = target / sqlite_scratch.slug / manifest["id"] / "database.age"
    original = sealed.read_bytes()
    sealed.write_bytes(original[:-10])  # truncated
    with pytest.raises(RestoreRefused, match="checksum differs"):
        restore_backup(
            slug=sqlite_scratch.slug, backup_id=manifest["id"], identity=str(KEY), into="x2"
        )
    sealed.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])  # one bit
    with pytest.raises(RestoreRefused, match="checksum differs"):
        restore_backup(
            slug=sqlite_scratch.slug, backup_id=manifest["id"], identity=str(KEY), into="x2"
        )
    sealed.write_bytes(original)
    with pytest.raises(RestoreRefused, match="exists already"):
        restore_backup(
            slug=sqlite_scratch.slug, backup_id=manifest["id"], identity=str(KEY), into="alpha"
        )
    with pytest.raises(RestoreRefused, match="No complete backup"):
        restore_backup(
            slug=sqlite_scratch.slug,
            backup_id="20260101T000000000000Z",
            identity=str(KEY),
            into="x2",
        )
    assert not Tenant.objects.filter(slug="x2").exists()
    assert not list(Path(settings.VAR_DIR).glob("**/*x2*.sqlite3"))


def test_an_interrupted_backup_never_counts_and_is_pruned(sqlite_scratch, target) -> None:
    good = take_backup(sqlite_scratch)
    half = target / sqlite_scratch.slug / "20991231T000000000000Z"
    half.mkdir()
    (half / "database.age.partial").write_bytes(b"age-encryption.org/v1\n-> X25519")
    assert [s.id for s in stored_backups(sqlite_scratch.slug)] == [good["id"]]
    assert prune_backups(sqlite_scratch.slug) == ["20991231T000000000000Z"]
    assert [s.id for s in stored_backups(sqlite_scratch.slug)] == [good["id"]]


def test_the_commands_back_up_list_and_restore(sqlite_scratch, target, tmp_path) -> None:
    out = StringIO()
    call_command("backup", "run", "--tenant", sqlite_scratch.slug, stdout=out)
    backup_id = out.getvalue().split()[1]
    listed = StringIO()
    call_command("backup", "list", stdout=listed)
    assert f"{sqlite_scratch.slug}  {backup_id}  sqlite" in listed.getvalue()
    identity = tmp_path / "backup.key"
    identity.write_text(str(KEY))
    done = StringIO()
    call_command(
        "backup", "restore", "--tenant", sqlite_scratch.slug, "--backup", backup_id,
        "--into", "from-cli", "--identity", str(identity), stdout=done,
    )  # fmt: skip
    restored = Tenant.objects.get(slug="from-cli")
    try:
        assert "Rows and ledger equal the manifest" in done.getvalue()
    finally:
        tenancy_services.drop_database(restored)
    drilled = StringIO()
    call_command(
        "backup", "drill", "--tenant", sqlite_scratch.slug, "--identity", str(identity),
        stdout=drilled,
    )  # fmt: skip
    assert f"{backup_id}: passed" in drilled.getvalue()
    wrong = tmp_path / "other.key"
    wrong.write_text(str(OTHER_KEY))
    with pytest.raises(CommandError, match="cannot be decrypted with this key"):
        call_command("backup", "drill", "--tenant", sqlite_scratch.slug, "--identity", str(wrong))
    with pytest.raises(CommandError, match="No complex"):
        call_command("backup", "run", "--tenant", "nowhere")
    with pytest.raises(CommandError, match=r"Type the complex's address \(scratch-sqlite\)"):
        call_command(
            "backup", "restore", "--tenant", sqlite_scratch.slug, "--backup", backup_id,
            "--replace", "--confirm", "alpha", "--identity", str(identity),
        )  # fmt: skip
    keys = StringIO()
    call_command("backup", "keygen", stdout=keys)
    assert "age1" in keys.getvalue() and "AGE-SECRET-KEY-1" in keys.getvalue()


def test_without_recipients_nothing_is_written(sqlite_scratch, target, settings) -> None:
    settings.BACKUP_AGE_RECIPIENTS = []
    with pytest.raises(CommandError, match="BACKUP_AGE_RECIPIENTS"):
        call_command("backup", "run", "--tenant", sqlite_scratch.slug)
    assert not target.exists() or not any(target.rglob("*.age"))


def test_the_manifest_says_what_a_restore_checks(sqlite_scratch, target) -> None:
    manifest = take_backup(sqlite_scratch)
    stored = json.loads(
        (target / sqlite_scratch.slug / manifest["id"] / "manifest.json").read_text()
    )
    assert stored == manifest
    assert {"migrations", "rows", "ledger", "sha256", "engine", "tools"} <= set(stored)
    assert "billing.0001_initial" in stored["migrations"]


START = datetime(2025, 1, 1, tzinfo=UTC)


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=400 * 24), min_size=1, max_size=120))
def test_grandfather_father_son_keeps_7_4_3_and_always_the_newest(hours: set[int]) -> None:
    taken = [START + timedelta(hours=h) for h in hours]
    keep = backups_to_keep(taken, daily=7, weekly=4, monthly=3)
    assert max(taken) in keep
    days = {t.date() for t in taken}
    weeks = {t.isocalendar()[:2] for t in taken}
    months = {(t.year, t.month) for t in taken}
    assert len(keep) <= 7 + 4 + 3
    assert len({t.date() for t in keep}) >= min(7, len(days))  # the last 7 days with one
    for day in sorted(days)[-7:]:
        assert max(t for t in taken if t.date() == day) in keep
    for week in sorted(weeks)[-4:]:
        assert max(t for t in taken if t.isocalendar()[:2] == week) in keep
    for month in sorted(months)[-3:]:
        assert max(t for t in taken if (t.year, t.month) == month) in keep


def test_the_schedule_backs_up_each_complex_on_its_own(sqlite_scratch, target, monkeypatch) -> None:
    from klustera.backups import services
    from klustera.backups.models import BackupAttempt
    from klustera.backups.tasks import back_up_everything

    real = services.take_backup

    def flaky(tenant):  # one complex's database cannot be read
        if tenant is not None and tenant.slug == "beta":
            raise services.BackupFailed("disk I/O error")
        return real(tenant)

    monkeypatch.setattr(services, "take_backup", flaky)
    back_up_everything.call_local()
    attempts = {a.complex: a for a in BackupAttempt.objects.all()}
    assert attempts["beta"].ok is False and "disk I/O error" in attempts["beta"].error
    served = {"alpha", sqlite_scratch.slug} | ({"pg-alpha"} if "pg-alpha" in attempts else set())
    assert all(attempts[slug].ok for slug in served)
    assert "in memory" in attempts["_platform"].error  # the suite's platform database
    assert {s.complex for s in stored_backups()} >= served


def test_the_drill_restores_checks_and_drops_and_catches_a_tampered_backup(
    sqlite_scratch, target, settings
) -> None:
    from klustera.backups.services import back_up_complex, backup_figures, run_drill

    _books(sqlite_scratch)
    manifest = back_up_complex(sqlite_scratch.slug)
    passed = run_drill(sqlite_scratch.slug, str(KEY))
    assert passed.ok, passed.detail
    assert "the ledger balances" in passed.detail
    assert not Tenant.objects.filter(slug__startswith="drill-").exists()  # dropped
    assert not list(Path(settings.VAR_DIR).glob("**/*drill-*"))

    sealed = target / sqlite_scratch.slug / manifest["id"] / "database.age"
    sealed.write_bytes(sealed.read_bytes()[:-1] + b"\x00")
    failed = run_drill(sqlite_scratch.slug, str(KEY))
    assert not failed.ok and "checksum differs" in failed.detail
    figures = backup_figures([sqlite_scratch.slug, "alpha"])
    assert figures["drills"] == {sqlite_scratch.slug: False}
    assert figures["backups"]["alpha"] == 0.0  # never: the dead man's switch counts from 1970
    assert figures["backups"][sqlite_scratch.slug] > 0


def test_the_metrics_and_the_operations_page_show_backups_and_drills(
    sqlite_scratch, target, settings
) -> None:
    from django.test import Client

    from klustera.backups.services import back_up_complex, run_drill
    from klustera.platform.tasks import refresh_business_figures
    from klustera.platform.tests.test_console import _admin

    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    back_up_complex(sqlite_scratch.slug)
    run_drill(sqlite_scratch.slug, str(KEY))
    refresh_business_figures.call_local()
    scraped = Client().get("/metrics").content.decode()
    assert f'klustera_backup_drill_ok{{complex="{sqlite_scratch.slug}"}} 1.0' in scraped
    assert 'klustera_backup_last_success_timestamp_seconds{complex="alpha"} 0.0' in scraped
    page = _admin().get("/platform/operations/").content.decode()
    assert 'id="backups"' in page and sqlite_scratch.slug in page and "status-active" in page


@pytest.fixture
def backup_bucket(s3_server, settings) -> Any:
    """Backups in a fresh bucket of the local S3 server, as in another region."""
    name = f"backups-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="ap-southeast-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
    )
    settings.BACKUP_TARGET_URL = (
        f"s3://test-key:test-secret@{name}/klustera?endpoint_url={s3_server}&region=ap-southeast-1"
    )
    settings.BACKUP_AGE_RECIPIENTS = [str(KEY.to_public())]
    settings.BACKUP_UPLOAD_ATTEMPTS = 3
    return client, name


def test_backups_go_to_a_bucket_and_come_back(sqlite_scratch, backup_bucket) -> None:
    client, bucket = backup_bucket
    _books(sqlite_scratch)
    manifest = take_backup(sqlite_scratch)
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    folder = f"klustera/{sqlite_scratch.slug}/{manifest['id']}"
    assert keys == {f"{folder}/database.age", f"{folder}/manifest.json"}
    sealed = client.get_object(Bucket=bucket, Key=f"{folder}/database.age")["Body"].read()
    assert sealed.startswith(b"age-encryption.org/v1")  # encrypted before it left
    client.put_object(Bucket=bucket, Key=f"klustera/{sqlite_scratch.slug}/2099/database.age",
                      Body=b"half")  # fmt: skip
    assert [s.id for s in stored_backups(sqlite_scratch.slug)] == [manifest["id"]]

    restored = restore_backup(
        slug=sqlite_scratch.slug, backup_id=manifest["id"], identity=str(KEY), into="from-bucket"
    )
    try:
        assert _units(restored.tenant) == _units(sqlite_scratch)
    finally:
        tenancy_services.drop_database(restored.tenant)
    assert prune_backups(sqlite_scratch.slug) == ["2099"]  # the interrupted one only
    assert [s.id for s in stored_backups()] == [manifest["id"]]


def test_a_flaky_bucket_is_retried_and_a_dead_one_fails_that_run_only(
    sqlite_scratch, backup_bucket, settings
) -> None:
    good = back_up_complex(sqlite_scratch.slug)
    failures = iter([503, 503])  # the next two requests answered "slow down, try again"

    def flaky(request: Any, **kwargs: Any) -> AWSResponse | None:
        status = next(failures, None)
        return AWSResponse(request.url, status, {}, _Body(SLOW_DOWN)) if status else None

    target = backup_target()
    target.client.meta.events.register("before-send.s3.PutObject", flaky)
    target.put_bytes("probe", b"after two retries")
    assert target.read_bytes("probe") == b"after two retries"

    settings.BACKUP_TARGET_URL = settings.BACKUP_TARGET_URL.replace(
        urlsplit(settings.BACKUP_TARGET_URL.split("endpoint_url=")[1]).netloc,
        f"127.0.0.1:{_closed_port()}",
    )
    with pytest.raises(EndpointConnectionError):
        back_up_complex(sqlite_scratch.slug)
    attempt = BackupAttempt.objects.filter(complex=sqlite_scratch.slug).latest("created_at")
    assert not attempt.ok and "Could not connect" in attempt.error
    settings.BACKUP_TARGET_URL = settings.BACKUP_TARGET_URL.replace(
        urlsplit(settings.BACKUP_TARGET_URL.split("endpoint_url=")[1]).netloc,
        urlsplit(target.client.meta.endpoint_url).netloc,
    )
    assert [s.id for s in stored_backups(sqlite_scratch.slug)] == [good["id"]]  # untouched


SLOW_DOWN = b"<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.data


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_complex_whose_database_is_lost_is_put_back_from_its_latest_backup(
    sqlite_scratch, target, tmp_path
) -> None:
    _books(sqlite_scratch)
    take_backup(sqlite_scratch)
    before = _units(sqlite_scratch)
    connections.close_all()
    tenancy_services.drop_database(sqlite_scratch)  # the disk is gone
    identity = tmp_path / "backup.key"
    identity.write_text(str(KEY))

    fetched = tmp_path / "scratch.sqlite3"
    call_command(
        "backup", "fetch", "--tenant", sqlite_scratch.slug, "--backup", "latest",
        "--identity", str(identity), "--to", str(fetched), stdout=StringIO(),
    )  # fmt: skip
    with sqlite3.connect(fetched) as copy:  # a plain SQLite database, to inspect by hand
        assert copy.execute("SELECT COUNT(*) FROM estate_unit").fetchone() == (len(before),)
    with pytest.raises(CommandError, match="exists already"):
        call_command(
            "backup", "fetch", "--tenant", sqlite_scratch.slug, "--backup", "latest",
            "--identity", str(identity), "--to", str(fetched),
        )  # fmt: skip

    done = StringIO()
    call_command(
        "backup", "restore", "--tenant", sqlite_scratch.slug, "--backup", "latest",
        "--replace", "--confirm", sqlite_scratch.slug, "--identity", str(identity), stdout=done,
    )  # fmt: skip
    live = Tenant.objects.get(slug=sqlite_scratch.slug)
    try:
        assert live.status == Tenant.Status.ACTIVE
        assert "was lost: nothing to keep" in done.getvalue()
        assert _units(live) == before
        assert not Tenant.objects.filter(slug__startswith=f"{sqlite_scratch.slug}-old-").exists()
    finally:
        connections.close_all()
        tenancy_services.drop_database(live)
