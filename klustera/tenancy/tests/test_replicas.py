"""Reports, dashboards and exports read from a real streaming replica (a cluster of our own,
its standby made by ``pg_basebackup``); writes never reach it; a replica too far behind, or
stopped, is passed over."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from conftest import POSTGRES_SERVER, ApiClient, need, own_postgres_root
from klustera.accounts.services import issue_token
from klustera.accounts.tests.factories import UserFactory
from klustera.estate.models import Unit
from klustera.roles import Role
from klustera.tenancy import connections as tenant_connections
from klustera.tenancy import replicas, services
from klustera.tenancy.context import tenant_atomic, tenant_context
from klustera.tenancy.models import Tenant
from klustera.tenancy.replicas import reads_from_replica, replica_lag, replica_reads
from klustera.tenancy.services import NewManager, provision_tenant
from stack import postgres
from stack.common import free_port

WAIT = 60  # seconds the standby may take to replay


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[postgres.Cluster, postgres.Cluster]]:
    with own_postgres_root("klustera-replica-") as root:
        primary = postgres.Cluster.create(root / "primary", free_port())
        standby = None
        try:
            standby = primary.standby(root / "standby", free_port())
            yield primary, standby
        finally:
            for cluster in (standby, primary):
                if cluster is not None:
                    cluster.destroy()


@pytest.fixture(scope="module")
def replicated(servers, django_db_setup, django_db_blocker) -> Iterator[Tenant]:
    """A complex on the primary, with the standby as its cluster's replica."""
    primary, standby = servers
    settings.TENANT_DATABASE_CLUSTERS["replicated"] = primary.url("klustera_{id}")
    settings.TENANT_DATABASE_REPLICAS = {"replicated": standby.url("klustera_{id}")}
    _copy_the_session_template(primary)
    with django_db_blocker.unblock():
        tenant = provision_tenant(
            name="Replicated",
            slug="replicated",
            cluster="replicated",
            manager=NewManager(phone="081200000007", name="Pengelola", password="pw-x-123456"),
        )
    # Unknown when each test's transactions begin: its writes commit and stream to the standby.
    tenant_connections.forget(tenant_connections.alias_for(tenant))
    try:
        yield tenant
    finally:
        connections.close_all()
        with django_db_blocker.unblock():
            tenant_connections.forget(tenant_connections.alias_for(tenant))
            tenant.delete()
        settings.TENANT_DATABASE_REPLICAS = {}
        del settings.TENANT_DATABASE_CLUSTERS["replicated"]


def _copy_the_session_template(primary: postgres.Cluster) -> None:
    """The new cluster's template is a copy of the migrated one the session's PostgreSQL
    complexes were made from (seconds, where migrating anew takes most of a minute)."""
    need("postgres")
    made = services.template_of("pg")
    wanted = services.template_of("replicated").db_name
    primary.sql(f'CREATE DATABASE "{wanted}"')
    dump = subprocess.run(
        ["pg_dump", "-Fc", "-d", f"{POSTGRES_SERVER}/{made.db_name}"],
        capture_output=True, check=True, timeout=WAIT,
    )  # fmt: skip
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", primary.url(wanted)],
        input=dump.stdout, capture_output=True, check=True, timeout=WAIT,
    )  # fmt: skip


@pytest.fixture
def complex_(replicated, servers, tenant_a) -> Iterator[Tenant]:
    """Each test starts with the standby replaying and caught up, and no verdict remembered."""
    _, standby = servers
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    replicas.forget_verdicts()
    with tenant_context(replicated):
        Unit.objects.all().delete()
    _caught_up(replicated)
    yield replicated
    if not standby.running():
        standby.start()
    standby.sql("SELECT pg_wal_replay_resume()")
    settings.REPLICA_MAX_LAG_SECONDS = 30
    replicas.forget_verdicts()


def _caught_up(tenant: Tenant) -> None:
    deadline = time.monotonic() + WAIT
    with tenant_context(tenant):
        while replica_lag(tenant) != 0.0:
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)


def _units_read(*, from_replica: bool) -> tuple[int, bool]:
    """How many units a read sees, and whether it came from the replica."""
    if not from_replica:
        return Unit.objects.count(), False
    with reads_from_replica() as used:
        return Unit.objects.count(), bool(used)


def test_a_report_reads_the_replica_and_its_writes_reach_the_primary(complex_, servers) -> None:
    _, standby = servers
    with tenant_context(complex_):
        Unit.objects.create(block="A", number="01")
        _caught_up(complex_)
        standby.sql("SELECT pg_wal_replay_pause()")
        Unit.objects.create(block="A", number="02")  # the standby does not have it yet

        assert _units_read(from_replica=True) == (1, True)
        assert _units_read(from_replica=False) == (2, False)
        with reads_from_replica() as used:
            Unit.objects.create(block="A", number="03")  # a standby would refuse it
            with tenant_atomic():  # inside a transaction, reads go where the writes go
                assert Unit.objects.count() == 3
                Unit.objects.select_for_update().get(number="03")
            unit, _ = Unit.objects.get_or_create(block="A", number="04")
            unit.land_area = 99
            unit.save()
            assert not Unit.objects.filter(number="04").exists()  # not replayed yet
            assert used
            stale = Unit.objects.get(number="01")  # from the replica
            stale.land_area = 77
            stale.save()  # saved on the primary
        assert set(Unit.objects.values_list("number", flat=True)) == {"01", "02", "03", "04"}
        assert Unit.objects.get(number="04").land_area == 99
        assert Unit.objects.get(number="01").land_area == 77


def test_a_replica_too_far_behind_is_passed_over_until_it_catches_up(complex_, servers) -> None:
    _, standby = servers
    settings.REPLICA_MAX_LAG_SECONDS = 0
    with tenant_context(complex_):
        standby.sql("SELECT pg_wal_replay_pause()")
        Unit.objects.create(block="A", number="01")
        assert replica_lag(complex_) > 0
        assert _units_read(from_replica=True) == (1, False)

        standby.sql("SELECT pg_wal_replay_resume()")
        _caught_up(complex_)
        replicas.forget_verdicts()  # the next check, REPLICA_CHECK_SECONDS later in production
        assert _units_read(from_replica=True) == (1, True)


def test_a_stopped_replica_is_passed_over(complex_, servers) -> None:
    _, standby = servers
    with tenant_context(complex_):
        Unit.objects.create(block="A", number="01")
        standby.stop()
        assert _units_read(from_replica=True) == (1, False)


def test_a_report_whose_replica_fails_midway_is_answered_from_the_primary(
    complex_, servers
) -> None:
    _, standby = servers

    @replica_reads
    def report() -> list[str]:
        return list(Unit.objects.order_by("number").values_list("number", flat=True))

    with tenant_context(complex_):
        Unit.objects.create(block="A", number="01")
        _caught_up(complex_)
        assert report() == ["01"]  # from the replica; its connection stays open
        standby.stop("immediate")
        assert report() == ["01"]  # the replica's connection broke: again, from the primary
        assert _units_read(from_replica=True) == (1, False)  # passed over until checked again


def test_the_managers_registry_export_is_read_from_the_replica(complex_, servers) -> None:
    """Through the API: an export shows what the replica has (the registry as it was a moment
    ago), while the registry list, not a report, shows the primary."""
    _, standby = servers
    with tenant_context(complex_):
        manager = UserFactory(phone="081300000001", roles=[Role.PROPERTY_MANAGER])
        token, _ = issue_token(user=manager, device_name="test")
        Unit.objects.create(block="A", number="01")
        _caught_up(complex_)
        standby.sql("SELECT pg_wal_replay_pause()")
        Unit.objects.create(block="A", number="02")
    api: Any = ApiClient(complex_, token)

    exported = api.client.get(api.base + "admin/units/export").content.decode()
    listed = api.get("units")
    assert ("A-01" in exported or ",01," in exported) and "02" not in exported.split("\n", 1)[1]
    assert [unit["number"] for unit in listed.data] == ["01", "02"]
