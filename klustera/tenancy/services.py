"""Use cases of the platform: provisioning tenants, suspending, resuming and migrating them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from klustera.tenancy import connections
from klustera.tenancy.context import tenant_context
from klustera.tenancy.databases import config_from_url, is_sqlite
from klustera.tenancy.errors import ProvisioningError
from klustera.tenancy.models import Domain, Tenant, validate_slug
from klustera.tenancy.resolution import forget_resolutions
from klustera.tenancy.signals import tenant_provisioned, tenant_status_changed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewManager:
    phone: str
    name: str
    password: str | None = None


def provision_tenant(
    *,
    name: str,
    slug: str,
    manager: NewManager,
    domain: str | None = None,
    plan: str = Tenant.Plan.FREE,
    time_zone: str = Tenant.TimeZone.WIB,
    locale: str = Tenant.Locale.INDONESIAN,
    cluster: str = "default",
    max_units: int = 50,
) -> Tenant:
    """Create a tenant: its platform row, its database, its schema and its first manager.

    Either all of it exists afterwards or none of it does: on any failure the
    database is dropped and the row deleted before ``ProvisioningError`` is raised.
    """
    slug = (slug or "").strip()
    tenant = Tenant(
        name=name.strip(),
        slug=slug,
        plan=plan,
        time_zone=time_zone,
        locale=locale,
        db_cluster=cluster,
        max_units=max_units,
    )
    try:
        validate_slug(slug)
        tenant.full_clean(exclude=["db_name"])
        if domain:
            _validate_new_domain(domain)
        if manager.password is not None:
            try:
                validate_password(manager.password)
            except ValidationError as exc:
                raise ValidationError({"manager password": exc.messages}) from exc
        connections.cluster_url(cluster)
    except ValidationError as exc:
        raise ProvisioningError(_validation_message(exc)) from exc
    except Exception as exc:
        raise ProvisioningError(str(exc)) from exc

    with transaction.atomic(using="default"):
        tenant.save()
        tenant.db_name = connections.planned_database_name(tenant)
        tenant.save(update_fields=["db_name"])
        if domain:
            Domain.objects.create(host=domain.strip().lower(), tenant=tenant, is_primary=True)

    created_database = False
    try:
        create_database(tenant)
        created_database = True
        migrate_tenant(tenant)
        with tenant_context(tenant):
            tenant_provisioned.send(sender=Tenant, tenant=tenant, manager=manager)
        tenant.status = Tenant.Status.ACTIVE
        tenant.save(update_fields=["status", "updated_at"])
    except Exception as exc:
        logger.exception("Provisioning of tenant %s failed; rolling back", slug)
        connections.forget(connections.alias_for(tenant))
        if created_database:
            drop_database(tenant)
        tenant.delete()
        raise ProvisioningError(f"Provisioning of '{slug}' failed: {exc}") from exc
    return tenant


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _validate_new_domain(host: str) -> None:
    host = host.strip().lower()
    if not host or "/" in host or " " in host:
        raise ValidationError(f"'{host}' is not a host name.")
    if Domain.objects.filter(host=host).exists():
        raise ValidationError(f"The domain '{host}' already belongs to a tenant.")


def server_config(tenant: Tenant) -> dict[str, Any]:
    url = connections.cluster_url(tenant.db_cluster).format(id=tenant.pk, slug=tenant.slug)
    return config_from_url(url)


def admin_connection(config: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
        connect_timeout=10,
    )


def create_database(tenant: Tenant) -> None:
    """Create the tenant's empty database; refuses to reuse one that already exists."""
    config = server_config(tenant)
    if is_sqlite(config):
        path = Path(tenant.db_name)
        if path.exists():
            raise ProvisioningError(f"The database file {path} already exists.")
        path.parent.mkdir(parents=True, exist_ok=True)
        import sqlite3

        sqlite3.connect(path).close()
        return
    with admin_connection(config) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [tenant.db_name]
        ).fetchone()
        if exists:
            raise ProvisioningError(f"The database {tenant.db_name} already exists.")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(tenant.db_name)))


def drop_database(tenant: Tenant) -> None:
    """Remove the tenant's database (provisioning rollback and test clean-up)."""
    config = server_config(tenant)
    if is_sqlite(config):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(tenant.db_name + suffix).unlink(missing_ok=True)
        return
    with admin_connection(config) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(tenant.db_name)
            )
        )


def migrate_tenant(tenant: Tenant, *, stdout: Any = None) -> None:
    """Bring the tenant's database to the current schema."""
    alias = connections.register(tenant)
    with tenant_context(tenant):
        call_command(
            "migrate", database=alias, interactive=False, verbosity=0, stdout=stdout or StringIO()
        )


def migrate_all(
    *, tenants: Iterable[Tenant] | None = None, report: Callable[[Tenant, str], None]
) -> list[Tenant]:
    """Migrate each tenant in turn and report each; returns the tenants that failed."""
    failed = []
    chosen = (
        tenants
        if tenants is not None
        else Tenant.objects.exclude(
            status__in=[Tenant.Status.PROVISIONING, Tenant.Status.CANCELLED]
        )
    )
    for tenant in chosen:
        try:
            migrate_tenant(tenant)
        except Exception as exc:
            failed.append(tenant)
            report(tenant, f"FAILED: {exc}")
        else:
            report(tenant, "ok")
    return failed


def _announce_status(tenant: Tenant, action: str) -> None:
    """Inside the complex, so that its own audit trail records the platform's action."""
    with tenant_context(tenant):
        tenant_status_changed.send(
            sender=Tenant, tenant=tenant, action=action, previous_status=tenant.status
        )


def suspend_tenant(*, tenant: Tenant) -> Tenant:
    """Stop serving the tenant's data; nothing is deleted."""
    _announce_status(tenant, "tenant.suspended")
    tenant.status = Tenant.Status.SUSPENDED
    tenant.save(update_fields=["status", "updated_at"])
    forget_resolutions()
    return tenant


def resume_tenant(*, tenant: Tenant) -> Tenant:
    """Serve a suspended tenant again."""
    if tenant.status != Tenant.Status.SUSPENDED:
        raise ProvisioningError(f"'{tenant.slug}' is {tenant.status}, not suspended.")
    _announce_status(tenant, "tenant.resumed")
    tenant.status = Tenant.Status.ACTIVE
    tenant.save(update_fields=["status", "updated_at"])
    forget_resolutions()
    return tenant


def cancel_tenant(*, tenant: Tenant) -> Tenant:
    """End a complex's service: its plan ends, nobody is served and no work runs for it.

    Its database is kept, untouched, until an operator drops it by hand."""
    if tenant.status not in (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED):
        raise ProvisioningError(f"'{tenant.slug}' is {tenant.status}; only a served complex ends.")
    _announce_status(tenant, "tenant.cancelled")
    tenant.status = Tenant.Status.CANCELLED
    tenant.cancelled_at = timezone.now()
    tenant.save(update_fields=["status", "cancelled_at", "updated_at"])
    forget_resolutions()
    return tenant


def set_time_zone(*, tenant: Tenant, time_zone: str) -> Tenant:
    """The complex's own time zone: its due dates, quiet hours and day boundaries follow it."""
    if time_zone not in Tenant.TimeZone.values:
        raise ValidationError({"time_zone": [_("Choose one of Indonesia's time zones.")]})
    tenant.time_zone = time_zone
    tenant.save(update_fields=["time_zone", "updated_at"])
    forget_resolutions()
    return tenant
