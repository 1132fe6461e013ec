"""What the complaint lists can be filtered and sorted by: one check for the API and the
pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from klustera.api import DayField, FilterChoice, FilterText, IdField
from klustera.helpdesk.models import Priority, Ticket

FINISHED = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.CANCELLED)
# The orders a list can take (``?sort=due``, ``?sort=-due`` the other way round).
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("resolution_due",),
    "filed": ("created_at",),
    "priority": ("priority_rank", "resolution_due"),  # urgent first
}
MAX_REPORT_DAYS = 366  # the longest period one report covers
SORT_CHOICES = [(f"{way}{key}", f"{way}{key}") for key in SORTS for way in ("", "-")]


class TicketFilters(serializers.Serializer):
    status = FilterChoice(Ticket.Status.choices)
    priority = FilterChoice(Priority.choices)
    category = IdField(required=False)
    assignee = IdField(required=False)
    block = FilterText(max_length=10)
    overdue = serializers.BooleanField(required=False, help_text="past the resolution target")
    sort = FilterChoice(SORT_CHOICES, help_text="the newest first when left out")


class ReportFilters(serializers.Serializer):
    start = DayField(required=False, help_text="tickets filed from this day (12 weeks back)")
    end = DayField(required=False, help_text="up to this day, included (today)")
    format = FilterChoice([("csv", "CSV"), ("xlsx", "XLSX")], help_text="a file, not JSON")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Both days set (12 weeks to today by default), the period at most a year."""
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end - timedelta(weeks=12) + timedelta(days=1)
        if not 0 <= (end - start).days < MAX_REPORT_DAYS:
            raise serializers.ValidationError(
                {"end": [_("Choose an end after the start, at most a year later.")]}
            )
        return {**attrs, "start": start, "end": end}


def ranked(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """``priority_rank``: 0 for urgent to 3 for low, to sort by."""
    order = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]
    return tickets.annotate(
        priority_rank=Case(
            *(When(priority=priority, then=Value(rank)) for rank, priority in enumerate(order)),
            output_field=IntegerField(),
        )
    )


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
    sort = filters.get("sort", "")
    if sort:
        way = "-" if sort.startswith("-") else ""
        fields = SORTS[sort.removeprefix("-")]
        tickets = ranked(tickets).order_by(*(f"{way}{field}" for field in fields), "pk")
    return tickets
