"""Connection aliases for tenant databases.

Aliases are registered lazily, the first time a tenant is used in a process.
Each thread keeps at most ``TENANT_CONNECTIONS_MAX`` tenant connections open;
the least recently used beyond that bound are closed, so the number of open
connections does not grow with the number of tenants served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler

from klustera.tenancy.databases import config_from_url, is_sqlite
from klustera.tenancy.errors import TenantUnavailable

if TYPE_CHECKING:
    from klustera.tenancy.models import Tenant

ALIAS_PREFIX = "tenant_"
REPLICA_SUFFIX = "~replica"
_registry_lock = threading.Lock()
_local = threading.local()


def alias_for(tenant: Tenant, *, replica: bool = False) -> str:
    return f"{ALIAS_PREFIX}{tenant.slug}{REPLICA_SUFFIX if replica else ''}"


def is_tenant_alias(alias: str) -> bool:
    return alias.startswith(ALIAS_PREFIX)


def primary_of(alias: str) -> str:
    """The alias of the database a replica's alias reads a copy of (itself for a primary)."""
    return alias.removesuffix(REPLICA_SUFFIX)


def cluster_url(cluster: str) -> str:
    try:
        return str(settings.TENANT_DATABASE_CLUSTERS[cluster])
    except KeyError:
        raise TenantUnavailable(f"Database cluster '{cluster}' is not configured.") from None


def planned_database_name(tenant: Tenant) -> str:
    """The database name (PostgreSQL) or absolute file path (SQLite) a new tenant gets."""
    url = cluster_url(tenant.db_cluster).format(id=tenant.pk, slug=tenant.slug)
    config = config_from_url(url)
    if is_sqlite(config):
        return str(Path(config["NAME"]).resolve())
    return str(config["NAME"])


def database_config(tenant: Tenant, *, replica: bool = False) -> dict[str, Any]:
    """The connection settings of an existing tenant's database, or of its cluster's read
    replica (which holds the same databases under the same names)."""
    if replica:
        url = settings.TENANT_DATABASE_REPLICAS[tenant.db_cluster]
    else:
        url = cluster_url(tenant.db_cluster)
    url = url.format(id=tenant.pk, slug=tenant.slug)
    config = config_from_url(url, conn_max_age=settings.TENANT_CONN_MAX_AGE)
    if replica:  # a replica that does not answer is passed over, not waited for
        config["OPTIONS"].setdefault("connect_timeout", 2)
    if is_sqlite(config):
        # mode=rw: a missing file is an error, never a new empty database.
        config["NAME"] = f"file:{tenant.db_name}?mode=rw"
    else:
        config["NAME"] = tenant.db_name
    return config


_databases: dict[str, str] = {}  # alias → the database its settings were made for


def register(tenant: Tenant, *, replica: bool = False) -> str:
    """Make the tenant's alias known to Django's connection handler; when the complex's
    database was swapped (a backup restored in its place), point the alias at the new one."""
    alias = alias_for(tenant, replica=replica)
    if alias in connections.settings and _databases.get(alias) == tenant.db_name:
        return alias
    config = database_config(tenant, replica=replica)
    with _registry_lock:
        if alias not in connections.settings or _databases.get(alias, tenant.db_name) != (
            tenant.db_name
        ):
            _replace_settings({**connections.settings, alias: config})
        _databases[alias] = tenant.db_name
    return alias


def _replace_settings(aliases: dict[str, dict[str, Any]]) -> None:
    """Put a new mapping of aliases in place instead of changing the one in use: another thread
    may be going through it (Django closes old connections at the end of every request), and
    a dict that changes under its loop fails it with a 500. Callers hold ``_registry_lock``."""
    connections.settings = aliases


def _recent() -> OrderedDict[str, str]:
    """This thread's aliases, least recently used first, with the database each was for."""
    if not hasattr(_local, "recent"):
        _local.recent = OrderedDict()
    return _local.recent


def activate(tenant: Tenant, *, replica: bool = False) -> str:
    """Register the tenant's alias, mark it most recently used, evict beyond the bound."""
    alias = register(tenant, replica=replica)
    recent = _recent()
    if recent.get(alias, tenant.db_name) != tenant.db_name:  # this thread's is to the old one
        close(alias)
    recent[alias] = tenant.db_name
    recent.move_to_end(alias)
    excess = len(recent) - max(int(settings.TENANT_CONNECTIONS_MAX), 1)
    for candidate in list(recent)[:-1]:  # oldest first, never the one just activated
        if excess <= 0:
            break
        if close(candidate):
            del recent[candidate]
            excess -= 1
    return alias


def close(alias: str) -> bool:
    """Close this thread's connection to ``alias``; False when it is inside a transaction."""
    if not hasattr(connections._connections, alias):  # type: ignore[attr-defined]
        return True
    connection = connections[alias]
    if connection.in_atomic_block:
        return False
    connection.close()
    del connections[alias]
    return True


def forget(alias: str) -> None:
    """Drop an alias, and its replica's, entirely (a tenant deleted or a failed provisioning)."""
    for each in (alias, alias + REPLICA_SUFFIX):
        close(each)
        _recent().pop(each, None)
        with _registry_lock:
            _replace_settings({k: v for k, v in connections.settings.items() if k != each})
            _databases.pop(each, None)


class _ConnectionHandler(ConnectionHandler):
    """Django's connection handler, which also remembers the aliases this thread has made a
    connection for.

    Django's request hooks (closing old connections, clearing query logs) ask
    ``all(initialized_only=True)`` three times a request, and Django answers by asking every
    alias the process knows whether this thread made it. With a tenant alias for every
    complex served that is some 2 ms a pass at 1,000 complexes: more than a small request's
    own work, growing with the complexes (bench/load.py). This answers from what the thread
    made, the same connections."""

    def create_connection(self, alias: str) -> BaseDatabaseWrapper:
        connection = super().create_connection(alias)
        self._made().add(alias)
        return connection

    def __setitem__(self, key: str, value: BaseDatabaseWrapper) -> None:
        super().__setitem__(key, value)
        self._made().add(key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._made().discard(key)

    def all(self, initialized_only: bool = False) -> Sequence[BaseDatabaseWrapper]:
        if not initialized_only:
            return super().all()
        here = self._connections  # type: ignore[attr-defined]
        # The configured aliases too: their connections may predate this class.
        aliases = dict.fromkeys([*settings.DATABASES, *self._made()])
        return [self[alias] for alias in aliases if alias in self.settings and hasattr(here, alias)]

    def _made(self) -> set[str]:
        """Kept beside the connections themselves: per thread, as they are."""
        here = self._connections  # type: ignore[attr-defined]
        try:
            made: set[str] = here.klustera_made
        except AttributeError:
            made = here.klustera_made = set()
        return made


def remember_connections_made() -> None:
    """Give Django's connection handler the class above (at start-up, from the app's
    ``ready``): Django offers no setting for it."""
    connections.__class__ = _ConnectionHandler


def open_tenant_connections() -> int:
    """How many tenant connections this thread holds open right now."""
    count = 0
    for alias in _recent():
        held = hasattr(connections._connections, alias)  # type: ignore[attr-defined]
        if held and connections[alias].connection is not None:
            count += 1
    return count


def ensure_reachable(tenant: Tenant) -> None:
    """Connect to the tenant's database now; raises ``TenantUnavailable`` when it cannot."""
    connection = connections[activate(tenant)]
    try:
        # A kept-open connection to a database that was since dropped is
        # closed here, and the reconnect below reports the failure.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except OperationalError as exc:
        raise TenantUnavailable(str(exc)) from exc
