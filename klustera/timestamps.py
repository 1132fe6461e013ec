"""``created_at`` and ``updated_at`` on every table, through one abstract base model.

``updated_at`` moves on every ``save()``, also one with ``update_fields``
(which would otherwise leave an ``auto_now`` field out). ``QuerySet.update()``
and ``bulk_update()`` bypass ``save()``: code that must move it names it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, models, router
from django.db.models import DateTimeField, F
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone


class Timestamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)


def changes_stamp(read_from: Iterable[type[models.Model]], *, using: str) -> str:
    """A short digest of the rows and the newest change of each table, in one query: a
    cache key for what is read from them.

    Every write there, by any process, adds or removes a row or moves an ``updated_at``
    (``.update()`` included, see above), so the stamp changes with it. What it cannot see
    are two writes committed out of order within one instant; a cache keyed by it keeps a
    short lifetime for that.
    """
    connection = connections[using]
    tables = [connection.ops.quote_name(model._meta.db_table) for model in read_from]
    # table names from the models: nothing from a request
    each = "(SELECT COUNT(*) FROM {0}), (SELECT MAX(updated_at) FROM {0})"
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(each.format(table) for table in tables))
        counted = "|".join(str(value) for value in cursor.fetchone())
    return hashlib.sha256(counted.encode()).hexdigest()[:16]


def backfill(
    app_label: str, sources: dict[str, tuple[str | None, Iterable[str]]]
) -> Callable[[Any, Any], None]:
    """A migration step giving existing rows timestamps from what they already record.

    ``sources`` maps a model to the field its ``created_at`` comes from (None:
    keep what the column holds) and the fields whose latest value is its
    ``updated_at`` (never before ``created_at``). Date fields count from midnight.
    """

    def run(apps: Any, schema_editor: Any) -> None:
        for model_name, (created_from, changed) in sources.items():
            model = apps.get_model(app_label, model_name)
            alias = schema_editor.connection.alias
            if not router.allow_migrate_model(alias, model):
                continue  # a tenant's table, on the platform database (or the reverse)
            rows = model._default_manager.using(alias)
            if created_from is not None:
                rows.exclude(**{f"{created_from}__isnull": True}).update(
                    created_at=_moment(model, created_from)
                )
            created = F("created_at")
            latest = [Coalesce(_moment(model, name), created) for name in changed]
            updated = Greatest(created, *latest) if latest else created
            rows.update(updated_at=updated)

    return run


def _moment(model: Any, name: str) -> Any:
    if isinstance(model._meta.get_field(name), models.DateTimeField):
        return F(name)
    return Cast(name, DateTimeField())
