"""What the audit trail can be filtered by: one check for the API and the page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import serializers

from klustera.api import DayField, FilterText
from klustera.audit.models import AuditEntry


class AuditFilters(serializers.Serializer):
    action = FilterText(help_text="one action, e.g. invoice.cancelled")
    area = FilterText(max_length=30, help_text="every action of an area, e.g. invoice")
    actor = FilterText(help_text="part of the name of who did it")
    since = DayField(required=False, help_text="from this day (the complex's time)")
    until = DayField(required=False, help_text="up to this day, included")


def filter_entries(entries: QuerySet[AuditEntry], filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    if name := filters.get("actor"):
        entries = entries.filter(Q(actor__name__icontains=name) | Q(actor_label__icontains=name))
    lookups = {
        "action": "action",
        "area": "action__startswith",
        "since": "created_at__date__gte",
        "until": "created_at__date__lte",
    }
    if filters.get("area"):
        filters = {**filters, "area": f"{filters['area']}."}
    chosen = {lookups[name]: value for name, value in filters.items() if value and name in lookups}
    return entries.filter(**chosen)
