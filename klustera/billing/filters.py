"""What the lists of billing can be filtered by: one check for the API and the portal."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from klustera.api import DayField, FilterChoice, FilterText, IdField
from klustera.billing.models import Invoice
from klustera.billing.services import read_month


@extend_schema_field(
    {"type": "string", "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])$", "example": "2026-12"}
)
class PeriodField(serializers.Field):
    """A calendar month from 2000 to 2099 written ``YYYY-MM``, held as its first day."""

    default_error_messages = {"invalid": _("Write the month as YYYY-MM, e.g. 2026-12.")}

    def to_internal_value(self, data: Any) -> date:
        try:
            return read_month(data)
        except DjangoValidationError:
            self.fail("invalid")
            raise  # unreachable: fail() raises

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


class InvoiceFilters(serializers.Serializer):
    period = PeriodField(required=False)
    status = FilterChoice(Invoice.Status.choices)
    unit = IdField(required=False)
    block = FilterText(max_length=20)


class ReportFilters(serializers.Serializer):
    period = PeriodField(required=False, help_text="the billed month (collection by block)")
    start = DayField(required=False, help_text="from this day (journal, late fees)")
    end = DayField(required=False, help_text="up to this day, included")
    format = FilterChoice(
        [("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF")], help_text="a file instead of JSON"
    )
