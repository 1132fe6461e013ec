"""The audit trail is a hash chain: an entry edited, deleted, moved or cut off the end with
raw SQL shows where, in ``klustera audit verify`` and the nightly check; on PostgreSQL a
trigger refuses to change or delete an entry at all."""

from __future__ import annotations

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connections, transaction

from conftest import need
from klustera.audit.chain import GENESIS
from klustera.audit.models import AuditEntry
from klustera.audit.services import record, verify_trail
from klustera.audit.tasks import verify_every_trail
from klustera.tenancy.connections import alias_for
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


def _trail(tenant, n: int = 4) -> list[AuditEntry]:
    with tenant_context(tenant):
        return [
            record(actor=None, action="test.step", step=i, amount="150000", tags=("a", "b"))
            for i in range(1, n + 1)
        ]


def _raw(tenant, sql: str, params: list | None = None) -> None:
    with connections[alias_for(tenant)].cursor() as cursor:
        cursor.execute(sql, params or [])


def _verdict(tenant):
    with tenant_context(tenant):
        return verify_trail()


def test_entries_are_chained_in_order_and_verify_as_intact(tenant_pair) -> None:
    tenant, _other = tenant_pair
    entries = _trail(tenant)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
    assert entries[0].details == {"step": 1, "amount": "150000", "tags": ["a", "b"]}
    verdict = _verdict(tenant)
    assert verdict.intact and verdict.checked == 4
    out = StringIO()
    call_command("audit", "verify", "--tenant", tenant.slug, stdout=out)
    assert out.getvalue() == f"{tenant.slug}: intact, 4 entries\n"


@pytest.mark.parametrize(
    "tampering, seq, reason",
    [
        (
            "UPDATE audit_auditentry SET details = '{\"step\": 9}' WHERE seq = 2",
            2,
            "its content was changed",
        ),
        ("UPDATE audit_auditentry SET actor_label = 'Bu Siti' WHERE seq = 3", 3, "changed"),
        ("DELETE FROM audit_auditentry WHERE seq = 2", 2, "entry 2 is missing"),
        # Moved: 2 and 3 swap places.
        (
            "UPDATE audit_auditentry SET seq = 1000 WHERE seq = 2;"
            "UPDATE audit_auditentry SET seq = 2 WHERE seq = 3;"
            "UPDATE audit_auditentry SET seq = 3 WHERE seq = 1000",
            2,
            "it does not follow the entry before it",
        ),
        ("DELETE FROM audit_auditentry WHERE seq = 4", 4, "entry 4 is missing"),  # cut off
    ],
)
def test_raw_sql_tampering_is_found_where_it_was_done(
    tenant_a, tampering: str, seq: int, reason: str, caplog
) -> None:
    _trail(tenant_a)
    for statement in tampering.split(";"):
        _raw(tenant_a, statement)
    verdict = _verdict(tenant_a)
    assert verdict.broken is not None and verdict.broken.seq == seq
    assert reason in verdict.broken.reason
    assert "audit.chain_broken" in caplog.text  # for the operator's alerts
    with pytest.raises(CommandError, match="1 audit trail"):
        call_command("audit", "verify", "--tenant", "alpha", stdout=StringIO())
    assert verify_every_trail.call_local()["alpha"] == f"broken at {seq}"


@pytest.mark.services
def test_postgresql_refuses_to_change_or_delete_an_entry(tenant_a) -> None:
    need("postgres")
    tenant = Tenant.objects.get(slug="pg-alpha")
    _trail(tenant, 2)
    for sql in (
        "UPDATE audit_auditentry SET action = 'nothing.happened' WHERE seq = 1",
        "DELETE FROM audit_auditentry WHERE seq = 2",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(using=alias_for(tenant)),
        ):
            _raw(tenant, sql)
    assert _verdict(tenant).intact


def test_the_application_refuses_too(tenant_a) -> None:
    [entry] = _trail(tenant_a, 1)
    with tenant_context(tenant_a):
        with pytest.raises(ValueError, match="append-only"):
            entry.delete()
        entry.action = "edited"
        with pytest.raises(ValueError, match="append-only"):
            entry.save()
