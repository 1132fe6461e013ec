"""Django through PgBouncer in transaction pooling mode (`deploy/pgbouncer/pgbouncer.ini`).

The isolation harness (`tenant_pair`) and every concurrency test (`pg_scratch`) also run
through the pool; these tests are about what transaction pooling itself breaks: a statement
may reach another server connection than the one before it, so nothing may outlive a
transaction on the server, and a database the app has used is still held by the pool."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import ProgrammingError, connections

from conftest import PG_TEST_PREFIX, scratch_complex
from klustera.estate.models import Unit
from klustera.tenancy import services
from klustera.tenancy.context import current_alias, tenant_atomic, tenant_context
from klustera.tenancy.databases import config_from_url
from klustera.tenancy.models import Tenant

WAIT = 30  # seconds a thread may wait for the other


@pytest.fixture
def pooled(tenant_a) -> Iterator[Tenant]:
    with scratch_complex("pgbouncer") as tenant:
        with tenant_context(tenant):
            Unit.objects.bulk_create(Unit(block="A", number=f"{n:02}") for n in range(1, 31))
        yield tenant


def _read_units_while_another_transaction_runs(tenant: Tenant) -> list[str]:
    """Read the units five at a time; after the first five, another connection begins a
    transaction — PgBouncer gives it the server connection the read was using — and holds
    it open until the read is done."""
    begun, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold_a_transaction() -> None:
        try:
            with tenant_context(tenant), tenant_atomic():
                Unit.objects.filter(number="01").count()
                begun.set()
                assert done.wait(WAIT), "the read did not finish"
        except BaseException as exc:
            failures.append(exc)
            begun.set()
        finally:
            connections.close_all()

    other = threading.Thread(target=hold_a_transaction)
    with tenant_context(tenant):
        rows = Unit.objects.order_by("number").values_list("number", flat=True).iterator(5)
        try:
            first = next(rows)
            other.start()
            assert begun.wait(WAIT), "the other transaction did not begin"
            numbers = [first, *rows]
        finally:
            done.set()
            other.join(WAIT)
    assert not failures, failures
    return numbers


def test_a_long_read_outside_a_transaction_does_not_depend_on_one_server_connection(
    pooled,
) -> None:
    assert _read_units_while_another_transaction_runs(pooled) == [f"{n:02}" for n in range(1, 31)]


def test_the_pool_does_switch_server_connections_under_a_server_side_cursor(pooled) -> None:
    """Why the pooled URL turns server-side cursors off: with one declared, the next fetch
    reaches a server connection that never heard of it."""
    with tenant_context(pooled):
        config = connections[current_alias()].settings_dict
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    config["DISABLE_SERVER_SIDE_CURSORS"] = False
    try:
        with pytest.raises((ProgrammingError, psycopg.ProgrammingError), match="does not exist"):
            _read_units_while_another_transaction_runs(pooled)
    finally:
        config["DISABLE_SERVER_SIDE_CURSORS"] = True


def test_a_template_migrated_through_the_pool_can_be_renamed(tenant_a) -> None:
    """The pool keeps the server connections the migrations used; renaming the new template
    (no one may be connected) ends them first."""
    from conftest import need

    need("postgres")
    template = Tenant(name="template", slug="template-pool-test", db_cluster="pgbouncer")
    template.db_name = f"{PG_TEST_PREFIX}template_pool_test"
    services._build_template(template)
    try:
        config = services.server_config(template)
        with services.admin_connection(config) as conn:
            found = conn.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", [template.db_name]
            ).fetchone()
        assert found == (1,)
    finally:
        services.drop_database(template)


@pytest.mark.parametrize(
    ("url", "direct", "expected"),
    [
        ("postgres://k@pool:6432/db?pgbouncer=transaction&direct=db1:5432", False,
         ("pool", "6432", True)),
        ("postgres://k@pool:6432/db?pgbouncer=transaction&direct=db1:5432", True,
         ("db1", "5432", False)),
        ("postgres://k@pool:6432/db?pgbouncer=transaction", True, ("pool", "6432", True)),
        ("postgres://k@db1:5432/db", False, ("db1", "5432", False)),
        ("postgres://k@db1:5432/db", True, ("db1", "5432", False)),
    ],
)  # fmt: skip
def test_a_pooled_url_names_the_pool_for_the_app_and_the_server_for_maintenance(
    url: str, direct: bool, expected: tuple[str, str, bool]
) -> None:
    config: dict[str, Any] = config_from_url(url, direct=direct)
    assert (config["HOST"], config["PORT"], config["DISABLE_SERVER_SIDE_CURSORS"]) == expected
    assert config["OPTIONS"] == {}  # nothing of ours reaches libpq


@pytest.mark.parametrize(
    "url",
    [
        "postgres://k@pool:6432/db?pgbouncer=session",
        "postgres://k@db1:5432/db?direct=db2:5432",
    ],
)
def test_a_pool_mode_klustera_cannot_work_with_is_refused_at_start(url: str) -> None:
    with pytest.raises(ValueError, match=r"pgbouncer|direct"):
        config_from_url(url)
