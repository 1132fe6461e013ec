"""Whether every encrypted value can still be opened with ``ENCRYPTION_KEYS`` — to run before
a key is retired — and re-encrypting what an older key holds under the current one.

Encrypted values are found by their shape (``v1.`` and base64) in every text column of every
model of each complex's database and of the platform's, and opened with each declared purpose
(``klustera.crypto.PURPOSES``), so a new encrypted column needs no registration here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import CharField, Model, TextField
from django.utils import timezone

from klustera.crypto import PREFIX, decrypt, encrypt, opened_by
from klustera.tenancy.connections import ensure_reachable
from klustera.tenancy.context import current_alias, platform_context, tenant_context
from klustera.tenancy.errors import TenantUnavailable
from klustera.tenancy.models import Tenant

PLATFORM = "(platform)"


@dataclass
class Column:
    """One column's encrypted values in one database: how many each key opens."""

    complex: str
    column: str
    by_key: dict[int, int] = field(default_factory=dict)  # key index → values it opens
    unreadable: int = 0
    rewrapped: int = 0
    unreachable: bool = False

    @property
    def older(self) -> int:
        return sum(count for index, count in self.by_key.items() if index > 0)


def check_keys(tenants: Iterable[Tenant], *, rewrap: bool = False) -> list[Column]:
    """Every column holding encrypted values, in the platform's database and each complex's.
    With ``rewrap``, values an older key opens are encrypted again with the current one."""
    with platform_context():
        columns = list(_columns(PLATFORM, DEFAULT_DB_ALIAS, rewrap))
    for tenant in tenants:
        try:
            ensure_reachable(tenant)
        except TenantUnavailable:
            columns.append(Column(tenant.slug, "(unreachable)", unreachable=True))
            continue
        with tenant_context(tenant):
            columns.extend(_columns(tenant.slug, current_alias(), rewrap))
    return columns


def _columns(name: str, alias: str, rewrap: bool) -> Iterator[Column]:
    for model in apps.get_models():
        if not router.allow_migrate_model(alias, model):
            continue
        for text in model._meta.concrete_fields:
            if not isinstance(text, CharField | TextField) or text.primary_key:
                continue
            column = Column(name, f"{model._meta.label}.{text.name}")
            _check_column(model, text.attname, alias, column, rewrap)
            if column.by_key or column.unreadable:
                yield column


def _check_column(
    model: type[Model], attname: str, alias: str, column: Column, rewrap: bool
) -> None:
    rows = model._base_manager.using(alias).filter(**{f"{attname}__startswith": PREFIX})
    for pk, value in rows.values_list("pk", attname).iterator(chunk_size=500):
        opened = opened_by(value)
        if opened is None:
            column.unreadable += 1
            continue
        index, purpose = opened
        column.by_key[index] = column.by_key.get(index, 0) + 1
        if rewrap and index > 0:
            fresh = encrypt(decrypt(value, purpose=purpose), purpose=purpose)
            changes: dict[str, object] = {attname: fresh}
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                changes["updated_at"] = timezone.now()
            column.rewrapped += (  # only if nobody changed it meanwhile
                model._base_manager.using(alias).filter(pk=pk, **{attname: value}).update(**changes)
            )
