"""Which tenant the current code runs for.

The current scope lives in a ContextVar, so threads and asyncio tasks each see
their own. It is set by the request middleware, by the task runner and by the
CLI. With no scope set, tenant data cannot be read at all (see ``router``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Final

import structlog
from django.db import transaction
from django.utils import timezone, translation

from klustera.tenancy import connections
from klustera.tenancy.errors import NoTenantSelected

if TYPE_CHECKING:
    from django.db.transaction import Atomic

    from klustera.tenancy.models import Tenant


class _Platform:
    """The platform scope: platform hosts and operator commands, not any tenant."""

    def __repr__(self) -> str:
        return "PLATFORM"


PLATFORM: Final = _Platform()
_scope: ContextVar[Tenant | _Platform | None] = ContextVar("klustera_scope", default=None)


def current_tenant() -> Tenant | None:
    scope = _scope.get()
    return None if scope is None or scope is PLATFORM else scope  # type: ignore[return-value]


def in_platform_scope() -> bool:
    return _scope.get() is PLATFORM


def current_alias() -> str:
    """The connection alias of the current tenant; raises when no tenant is selected."""
    tenant = current_tenant()
    if tenant is None:
        raise NoTenantSelected("No tenant is selected: tenant data cannot be reached here.")
    return connections.alias_for(tenant)


@contextmanager
def tenant_context(tenant: Tenant) -> Iterator[Tenant]:
    """Run the block as ``tenant``: its database, its time zone, its language, and its slug
    on every log line written meanwhile."""
    connections.activate(tenant)
    token = _scope.set(tenant)
    try:
        with (
            timezone.override(tenant.time_zone),
            translation.override(tenant.locale),
            structlog.contextvars.bound_contextvars(complex=tenant.slug),  # on every log line
        ):
            yield tenant
    finally:
        _scope.reset(token)


@contextmanager
def platform_context() -> Iterator[None]:
    """Run the block in the platform scope (shared tables on the platform database)."""
    token = _scope.set(PLATFORM)
    try:
        yield
    finally:
        _scope.reset(token)


def tenant_atomic() -> Atomic:
    """``transaction.atomic`` on the current tenant's database.

    A bare ``transaction.atomic()`` ignores routers and would open its
    transaction on the platform database (Django ticket #32788).
    """
    return transaction.atomic(using=current_alias())


def one_writer_at_a_time(name: str) -> None:
    """Inside a tenant transaction: the other transactions that say ``name`` wait for this one.

    PostgreSQL takes a transaction-level advisory lock; SQLite already lets
    one transaction write at a time. For rules a row lock cannot guard, such
    as a count.
    """
    connection = transaction.get_connection(current_alias())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def on_commit(func: object) -> None:
    """Run ``func`` after the current tenant transaction commits (at once outside one)."""
    transaction.on_commit(func, using=current_alias())  # type: ignore[arg-type]


def on_commit_in_scope(func: Callable[[], object]) -> None:
    """``on_commit``, with ``func`` run in this complex's scope whoever commits: cache keys
    and the database it touches are this complex's."""
    tenant = current_tenant()
    assert tenant is not None, "on_commit_in_scope is for a complex's transaction"

    def run() -> None:
        with tenant_context(tenant):
            func()

    on_commit(run)
