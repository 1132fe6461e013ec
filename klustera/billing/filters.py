"""What the lists of billing can be filtered by: one check for the API and the portal."""

from __future__ import annotations

from rest_framework import serializers

from klustera.api import DayField, FilterChoice, FilterText, IdField, MonthField
from klustera.billing.models import Invoice


class InvoiceFilters(serializers.Serializer):
    period = MonthField(required=False)
    status = FilterChoice(Invoice.Status.choices)
    unit = IdField(required=False)
    block = FilterText(max_length=20)


class ReportFilters(serializers.Serializer):
    period = MonthField(required=False, help_text="the billed month (collection by block)")
    start = DayField(required=False, help_text="from this day (journal, late fees)")
    end = DayField(required=False, help_text="up to this day, included")
    format = FilterChoice(
        [("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF")], help_text="a file instead of JSON"
    )
