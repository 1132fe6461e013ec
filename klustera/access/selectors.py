"""Reads of the access log, shared by the API and the portal."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from klustera.access.models import AccessLog


def filter_logs(params: Any) -> QuerySet[AccessLog]:
    """The log, newest first; ``?kind=&result=&gate=&method=&date=2026-11-25`` (complex's day)."""
    logs = AccessLog.objects.select_related("unit", "guard", "resident", "invitation")
    for name in ("kind", "result", "gate", "method"):
        if params.get(name):
            logs = logs.filter(**{name: params[name]})
    day = params.get("date", "")
    if day:
        try:
            logs = logs.filter(at__date=date.fromisoformat(day))
        except ValueError:
            return logs.none()
    return logs
