"""``klustera tenants move SLUG --cluster B``: the complex is not served while its database is
copied (503 for it alone), the copy is verified row by row, the complex is switched to it, the
old database is kept read-only; a copy that differs is thrown away and nothing changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client

from conftest import own_postgres_root, scratch_complex
from klustera.accounts.tasks import send_code
from klustera.estate.models import Unit
from klustera.tasks import TenantMoving, queue, run_for_tenant
from klustera.tenancy import moving
from klustera.tenancy import services as tenancy_services
from klustera.tenancy.context import tenant_context
from klustera.tenancy.errors import MoveRefused
from klustera.tenancy.models import Tenant
from klustera.tenancy.moving import checksums, move_tenant
from stack import postgres
from stack.common import free_port


@pytest.fixture(scope="module")
def cluster_b() -> Iterator[postgres.Cluster]:
    """A second PostgreSQL instance of our own, beside the test server."""
    with own_postgres_root("klustera-cluster-b-") as root:
        made = postgres.Cluster.create(root / "b", free_port())
        try:
            yield made
        finally:
            made.destroy()


@pytest.fixture(params=["default", "pg"])
def placed(request, tenant_a, tmp_path, cluster_b) -> Iterator[tuple[Tenant, str]]:
    """A complex of the test's own (its writes commit) with units, and a cluster "b" of the
    same engine to move it to."""
    if request.param == "default":
        settings.TENANT_DATABASE_CLUSTERS["b"] = f"sqlite:///{tmp_path}/b/{{slug}}.sqlite3"
    else:
        settings.TENANT_DATABASE_CLUSTERS["b"] = cluster_b.url("klustera_b_{id}")
    with scratch_complex(request.param) as tenant:
        with tenant_context(tenant):
            Unit.objects.bulk_create(Unit(block="M", number=f"{n:02}") for n in range(1, 41))
        try:
            yield tenant, request.param
        finally:
            connections.close_all()
            for each in Tenant.objects.filter(slug__startswith=f"{tenant.slug}-moved-"):
                tenancy_services.drop_database(each)
            del settings.TENANT_DATABASE_CLUSTERS["b"]


def _numbers(tenant: Tenant) -> list[str]:
    with tenant_context(tenant):
        return list(Unit.objects.order_by("number").values_list("number", flat=True))


def _config(tenant: Tenant) -> dict[str, Any]:
    return tenancy_services.server_config(tenant) | {"NAME": tenant.db_name}


def test_a_move_there_and_back_keeps_every_row_and_the_old_database(placed, tenant_b) -> None:
    tenant, home = placed
    before = checksums(_config(tenant))
    seen_meanwhile: list[tuple[int, str, int]] = []
    copy = moving._copy

    def copy_and_look(source: dict[str, Any], target: dict[str, Any]) -> None:
        moving_one = Client().get(f"/c/{tenant.slug}/api/v1/units")
        other = Client().get(f"/c/{tenant_b.slug}/api/v1/privacy/notice")
        seen_meanwhile.append(
            (moving_one.status_code, moving_one.json()["error"]["code"], other.status_code)
        )
        assert moving_one["Retry-After"] == "30"
        copy(source, target)

    moving._copy = copy_and_look  # type: ignore[assignment]
    try:
        out = StringIO()
        call_command("tenants", "move", tenant.slug, "--cluster", "b", stdout=out)
    finally:
        moving._copy = copy  # type: ignore[assignment]

    assert seen_meanwhile == [(503, "TENANT_UNAVAILABLE", 200)]  # that complex only
    there = Tenant.objects.get(slug=tenant.slug)
    kept = Tenant.objects.get(slug__startswith=f"{tenant.slug}-moved-")
    assert (there.db_cluster, there.status) == ("b", Tenant.Status.ACTIVE)
    assert (kept.db_cluster, kept.db_name, kept.status) == (
        home, tenant.db_name, Tenant.Status.SUSPENDED
    )  # fmt: skip
    assert checksums(_config(there)) == before
    assert "rows verified" in out.getvalue() and kept.slug in out.getvalue()
    with tenant_context(there):
        Unit.objects.create(block="M", number="41")  # served, and written, from cluster b
    if home == "pg":  # the old database takes no more writes
        with (
            psycopg.connect(
                **{"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": kept.db_name}
            ) as conn,
            pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
        ):
            conn.execute("DELETE FROM estate_unit")  # fmt: skip

    with pytest.raises(MoveRefused, match="exists"):  # the kept database holds the old name
        move_tenant(tenant=there, cluster=home)
    assert Tenant.objects.get(slug=tenant.slug).status == Tenant.Status.ACTIVE
    tenancy_services.drop_database(kept)
    kept.delete()
    back = move_tenant(tenant=Tenant.objects.get(slug=tenant.slug), cluster=home).tenant
    assert back.db_cluster == home and back.db_name == tenant.db_name
    assert _numbers(back) == [f"{n:02}" for n in range(1, 42)]


def test_a_copy_that_differs_is_dropped_and_the_complex_stays(placed) -> None:
    tenant, home = placed
    copy = moving._copy

    def copy_and_lose_a_row(source: dict[str, Any], target: dict[str, Any]) -> None:
        copy(source, target)
        if home == "default":
            with sqlite3.connect(target["NAME"]) as db:
                db.execute("DELETE FROM estate_unit WHERE number = '07'")
        else:
            with moving.pg_connect(target) as conn:
                conn.execute("DELETE FROM estate_unit WHERE number = '07'")

    moving._copy = copy_and_lose_a_row  # type: ignore[assignment]
    try:
        with pytest.raises(CommandError, match="differs from the original in \\['estate_unit'\\]"):
            call_command("tenants", "move", tenant.slug, "--cluster", "b", stdout=StringIO())
    finally:
        moving._copy = copy  # type: ignore[assignment]

    stayed = Tenant.objects.get(slug=tenant.slug)
    assert (stayed.db_cluster, stayed.db_name, stayed.status) == (
        home, tenant.db_name, Tenant.Status.ACTIVE
    )  # fmt: skip
    assert not Tenant.objects.filter(slug__startswith=f"{tenant.slug}-moved-").exists()
    with tenant_context(stayed):
        Unit.objects.create(block="M", number="41")  # writable again
    placed_on_b = Tenant(pk=tenant.pk, slug=tenant.slug, db_cluster="b")
    target = tenancy_services.server_config(placed_on_b)
    if home == "default":
        assert not Path(moving.connections.planned_database_name(placed_on_b)).exists()
    else:
        with tenancy_services.admin_connection(target) as conn:
            name = moving.connections.planned_database_name(placed_on_b)
            assert conn.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", [name]
            ).fetchone() == (0,)


def test_a_move_asked_wrongly_is_refused_with_a_reason(tenant_a) -> None:
    with pytest.raises(CommandError, match="on default already"):
        call_command("tenants", "move", tenant_a.slug, "--cluster", "default")
    with pytest.raises(CommandError, match="'nowhere' is not configured"):
        call_command("tenants", "move", tenant_a.slug, "--cluster", "nowhere")
    with pytest.raises(CommandError, match="No tenant 'nobody'"):
        call_command("tenants", "move", "nobody", "--cluster", "default")


def test_a_moving_complexs_tasks_wait_instead_of_being_dropped(tenant_a) -> None:
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.MOVING)
    with pytest.raises(TenantMoving):
        run_for_tenant(tenant_a.slug, lambda: "ran")
    notifications = queue("notifications")
    waiting = len(notifications.scheduled())
    with tenant_context(tenant_a):
        send_code("081299990000", "login")  # runs at once in tests: it finds the complex moving
    assert len(notifications.scheduled()) == waiting + 1  # to be tried again, not dropped
    notifications.storage.flush_schedule()
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.ACTIVE)
    assert run_for_tenant(tenant_a.slug, lambda: "ran") == "ran"
