"""Reads that may come from a streaming replica: reports, dashboards and exports.

A view marked ``@replica_reads`` reads from the replica of its complex's cluster
(``TENANT_DATABASE_REPLICAS``) while that replica is at most ``REPLICA_MAX_LAG_SECONDS``
behind its primary; otherwise, and for everything else, from the primary. Writes always go to
the primary (``router.db_for_write``), and so does every read inside a transaction there, so a
service never decides on a stale copy of what it is about to change.

How far behind: a replica that has replayed everything the primary has written is not behind,
however long ago that was; one that has not is as far behind as its last replayed
transaction is old. Each process asks at most every ``REPLICA_CHECK_SECONDS`` per cluster. A
replica that does not answer, or is no longer a standby (promoted), is passed over; a marked
view whose replica fails mid-request is answered again from the primary.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.db import connections as django_connections

from klustera.tenancy import connections

if TYPE_CHECKING:
    from klustera.tenancy.models import Tenant

logger = structlog.get_logger(__name__)

# Inside a marked view: the (cluster, alias) of each replica it has read from so far.
_reading: ContextVar[set[tuple[str, str]] | None] = ContextVar(
    "klustera_replica_reads", default=None
)
_verdicts: dict[str, tuple[float, bool]] = {}  # cluster → (when checked, usable)
_lock = threading.Lock()

View = TypeVar("View", bound=Callable[..., Any])


@contextmanager
def reads_from_replica() -> Iterator[set[tuple[str, str]]]:
    """Inside the block, reads may come from replicas: the ones used are in the set it gives."""
    used: set[tuple[str, str]] = set()
    token = _reading.set(used)
    try:
        yield used
    finally:
        _reading.reset(token)


def replica_reads(view: View) -> View:
    """Mark a read-only view (a report, a dashboard, an export): its reads may come from the
    replica. Should the replica fail meanwhile, the view runs again on the primary."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with reads_from_replica() as used:
            try:
                return view(*args, **kwargs)
            except OperationalError:
                if not used:
                    raise
        for cluster, alias in used:
            logger.warning("replica.failed_mid_request", cluster=cluster)
            connections.close(alias)
            _remember(cluster, usable=False)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def read_alias(tenant: Tenant) -> str:
    """Where a read for ``tenant`` goes now."""
    primary = connections.alias_for(tenant)
    used = _reading.get()
    if used is None or tenant.db_cluster not in settings.TENANT_DATABASE_REPLICAS:
        return primary
    if django_connections[primary].in_atomic_block:
        return primary
    if not _usable(tenant):
        return primary
    alias = connections.activate(tenant, replica=True)
    used.add((tenant.db_cluster, alias))
    return alias


def replica_lag(tenant: Tenant) -> float | None:
    """Seconds the replica of ``tenant``'s cluster is behind; None when it cannot serve."""
    replica = django_connections[connections.activate(tenant, replica=True)]
    primary = django_connections[connections.activate(tenant)]
    try:
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
            )
            standby, replayed, since_last = cursor.fetchone()
    except DatabaseError as exc:
        replica.close()
        logger.warning("replica.unreachable", cluster=tenant.db_cluster, error=str(exc)[:200])
        return None
    if not standby:
        logger.warning("replica.not_a_standby", cluster=tenant.db_cluster)
        return None
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn() <= %s::pg_lsn", [replayed])
        (caught_up,) = cursor.fetchone()
    if caught_up:
        return 0.0
    return float(since_last) if since_last is not None else float("inf")


def _usable(tenant: Tenant) -> bool:
    now = time.monotonic()
    checked = _verdicts.get(tenant.db_cluster)
    if checked and now - checked[0] < settings.REPLICA_CHECK_SECONDS:
        return checked[1]
    lag = replica_lag(tenant)
    usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
    if lag is not None and not usable:
        logger.info("replica.behind", cluster=tenant.db_cluster, lag_seconds=round(lag, 1))
    _remember(tenant.db_cluster, usable=usable)
    return usable


def _remember(cluster: str, *, usable: bool) -> None:
    with _lock:
        _verdicts[cluster] = (time.monotonic(), usable)


def forget_verdicts() -> None:
    """Ask every replica again on the next read (tests, and after a failover)."""
    with _lock:
        _verdicts.clear()
