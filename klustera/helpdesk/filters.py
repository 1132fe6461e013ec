"""What the complaint lists can be filtered by: one check for the API and the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from klustera.api import FilterChoice, FilterText, IdField
from klustera.helpdesk.models import Priority, Ticket

FINISHED = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.CANCELLED)


class TicketFilters(serializers.Serializer):
    status = FilterChoice(Ticket.Status.choices)
    priority = FilterChoice(Priority.choices)
    category = IdField(required=False)
    assignee = IdField(required=False)
    block = FilterText(max_length=10)
    overdue = serializers.BooleanField(required=False, help_text="past the resolution target")


def filter_tickets(tickets: QuerySet[Ticket], filters: dict[str, Any]) -> QuerySet[Ticket]:
    lookups = {
        "status": "status",
        "priority": "priority",
        "category": "category_id",
        "assignee": "assignee_id",
        "block": "unit__block__iexact",
    }
    tickets = tickets.filter(**{lookups[k]: v for k, v in filters.items() if k in lookups and v})
    if filters.get("overdue"):
        tickets = tickets.exclude(status__in=FINISHED).filter(resolution_due__lt=timezone.now())
    return tickets
