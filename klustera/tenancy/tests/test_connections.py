"""Tenant connections stay bounded however many tenants one process serves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.core.signals import request_finished
from django.db import connections
from django.db.utils import ConnectionHandler

from klustera.estate.models import Unit
from klustera.tenancy import connections as tenant_connections
from klustera.tenancy.context import tenant_context
from klustera.tenancy.models import Tenant


class _NotToBeWalked(dict):  # type: ignore[type-arg]
    def __iter__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("went through every alias the process knows")


def _copies_of(tenant: Tenant, tmp_path: Path, count: int) -> list[Tenant]:
    """Unsaved tenants, each on its own copy of ``tenant``'s migrated database."""
    copies = []
    for i in range(count):
        path = tmp_path / f"copy-{i}.sqlite3"
        with sqlite3.connect(tenant.db_name) as source, sqlite3.connect(path) as target:
            source.backup(target)  # WAL-safe, unlike copying the file
        copies.append(Tenant(pk=10_000 + i, slug=f"copy-{i}", name=f"Copy {i}", db_name=str(path)))
    return copies


def test_open_connections_stay_at_the_bound(settings, tmp_path: Path, tenant_a) -> None:
    # The test's own transactions pin the session tenants' connections open.
    pinned = tenant_connections.open_tenant_connections()
    settings.TENANT_CONNECTIONS_MAX = pinned + 3
    tenants = _copies_of(tenant_a, tmp_path, 10)
    for _ in range(2):
        for tenant in tenants:
            with tenant_context(tenant):
                assert Unit.objects.count() == 0
            assert tenant_connections.open_tenant_connections() <= pinned + 3
    open_aliases = [
        alias
        for alias in connections.settings
        if alias.startswith("tenant_copy-")
        and hasattr(connections._connections, alias)
        and connections[alias].connection is not None
    ]
    # The three most recently used stay open for reuse; the others were closed.
    assert sorted(open_aliases) == ["tenant_copy-7", "tenant_copy-8", "tenant_copy-9"]


def test_a_connection_inside_a_transaction_is_not_evicted(
    settings, tmp_path: Path, tenant_a
) -> None:
    settings.TENANT_CONNECTIONS_MAX = 1
    first, second = _copies_of(tenant_a, tmp_path, 2)
    with tenant_context(first):
        from klustera.tenancy.context import tenant_atomic

        with tenant_atomic():
            Unit.objects.create(number="1")
            with tenant_context(second):
                assert Unit.objects.count() == 0
            # Still the same open transaction on the first tenant.
            assert Unit.objects.count() == 1


def test_cache_keys_carry_the_tenant(tenant_a, tenant_b) -> None:
    from django.core.cache import cache

    with tenant_context(tenant_a):
        cache.set("dashboard", "alpha figures")
    with tenant_context(tenant_b):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "beta figures")
    with tenant_context(tenant_a):
        assert cache.get("dashboard") == "alpha figures"
        cache.delete("dashboard")
    with tenant_context(tenant_b):
        cache.delete("dashboard")


def test_registering_a_complex_never_breaks_a_loop_over_the_aliases(
    tmp_path: Path, tenant_a
) -> None:
    """At the end of each request Django goes through every alias to close old connections;
    another thread of the same process registering a complex meanwhile made that a 500
    (``dictionary changed size during iteration``, found by serving 1,000 complexes)."""
    [copy] = _copies_of(tenant_a, tmp_path, 1)
    going_through = iter(connections)  # a request's end, part-way through the aliases
    next(going_through)
    alias = tenant_connections.register(copy)  # another thread's request: a new complex
    try:
        assert alias in connections.settings
        list(going_through)  # the loop carries on
        tenant_connections.forget(alias)
        list(going_through)
        assert alias not in connections.settings
    finally:
        tenant_connections.forget(alias)


def test_request_hooks_see_the_connections_this_thread_made_and_no_others(
    tmp_path: Path, tenant_a
) -> None:
    first, second = _copies_of(tenant_a, tmp_path, 2)
    tenant_connections.register(second)  # known to the process, never used by this thread
    with tenant_context(first):
        assert Unit.objects.count() == 0
    alias = tenant_connections.alias_for(first)
    # The same answer Django's own method gives by asking every alias the process knows.
    made = {each.alias for each in connections.all(initialized_only=True)}
    assert made == {each.alias for each in ConnectionHandler.all(connections, True)}
    assert alias in made and tenant_connections.alias_for(second) not in made
    connections[alias].close_at = 0  # past its CONN_MAX_AGE: Django's hook closes it
    known = connections.settings
    connections.settings = _NotToBeWalked(known)  # a request's cost is not the complexes'
    try:
        request_finished.send(sender=None)
    finally:
        connections.settings = known
    assert connections[alias].connection is None
    for each in (first, second):
        tenant_connections.forget(tenant_connections.alias_for(each))
    assert alias not in {each.alias for each in connections.all(initialized_only=True)}
