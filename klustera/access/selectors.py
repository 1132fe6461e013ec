"""Reads of the access log, shared by the API and the portal."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from klustera.access.models import AccessLog


def filter_logs(filters: dict[str, Any]) -> QuerySet[AccessLog]:
    """The log, newest first, by checked filters: ``kind``, ``result``, ``gate``, ``method``,
    ``date`` (a day in the complex's zone), ``flag`` (``any``: every flagged one)."""
    logs = AccessLog.objects.select_related("unit", "guard", "resident", "invitation")
    filters = dict(filters)
    if filters.get("flag") == "any":
        del filters["flag"]
        logs = logs.exclude(flag="")
    lookups = {"kind": "kind", "result": "result", "gate": "gate", "method": "method"}
    lookups.update(date="at__date", flag="flag")
    return logs.filter(**{lookups[name]: value for name, value in filters.items()})
