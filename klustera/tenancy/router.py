"""The database router: platform apps to the platform database, tenant apps to the tenant's.

It fails closed: a tenant table queried with no tenant selected raises
``NoTenantSelected``; it never falls back to another database. Reads in a view marked
``replica_reads`` may go to the complex's read replica (``replicas``); writes never do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model

from klustera.tenancy.connections import is_tenant_alias, primary_of
from klustera.tenancy.context import current_alias, current_tenant, in_platform_scope
from klustera.tenancy.errors import CrossTenantAccess
from klustera.tenancy.replicas import read_alias


def _app_label(model: type[Model]) -> str:
    return model._meta.app_label


class TenantRouter:
    def _route(self, model: type[Model], hints: dict[str, Any]) -> str:
        label = _app_label(model)
        if label in settings.PLATFORM_APPS or model._meta.label_lower in settings.PLATFORM_MODELS:
            return DEFAULT_DB_ALIAS
        if label in settings.SHARED_APPS and current_tenant() is None and in_platform_scope():
            return DEFAULT_DB_ALIAS
        alias = current_alias()
        instance = hints.get("instance")
        instance_db = getattr(getattr(instance, "_state", None), "db", None)
        if instance_db and primary_of(instance_db) != alias and is_tenant_alias(instance_db):
            raise CrossTenantAccess(
                f"A {model.__name__} loaded from {instance_db} was used while {alias} is selected."
            )
        return alias

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        alias = self._route(model, hints)
        tenant = current_tenant()
        if tenant is None or alias == DEFAULT_DB_ALIAS:
            return alias
        return read_alias(tenant)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return self._route(model, hints)

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # A row read from the replica and one from its primary belong to the same database.
        return primary_of(str(obj1._state.db)) == primary_of(str(obj2._state.db))

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        if app_label in settings.PLATFORM_APPS:
            return db == DEFAULT_DB_ALIAS
        if f"{app_label}.{hints.get('model_name')}" in settings.PLATFORM_MODELS:
            return db == DEFAULT_DB_ALIAS
        if app_label in settings.SHARED_APPS:
            return True
        return db != DEFAULT_DB_ALIAS
