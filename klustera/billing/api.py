"""Billing endpoints: residents' invoices, managers' invoices and billing runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.api import (
    DayField,
    FormatIsAFile,
    MonthField,
    RejectUnknownFields,
    call_service,
    json_or_files,
    ok,
    query,
    user_of,
    validated,
)
from klustera.billing import reports
from klustera.billing.documents import invoice_pdf
from klustera.billing.filters import InvoiceFilters, ReportFilters
from klustera.billing.models import (
    BillingRun,
    BillingSettings,
    Invoice,
    InvoiceLine,
    OneOffCharge,
    Tariff,
)
from klustera.billing.selectors import (
    access_invoice,
    filter_invoices,
    invoices_visible_to,
    statement,
)
from klustera.billing.services import (
    PERIOD,
    SETTINGS_FIELDS,
    add_one_off_charges,
    bill_unit,
    change_tariff,
    generate_invoices,
    parse_period,
    remind_overdue,
    save_tariff,
    update_billing_settings,
    update_invoice,
)
from klustera.billing.views import pdf_response, report_file
from klustera.estate.models import Unit
from klustera.estate.selectors import access_unit
from klustera.filtering import FilteredListView
from klustera.notifications.services import describe_reach
from klustera.permissions import IsPropertyManager
from klustera.tables import XLSX
from klustera.tenancy.replicas import replica_reads
from klustera.uploads import check_photo


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["description", "quantity", "unit_price", "amount", "is_tax"]


class InvoiceSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
    balance_due = serializers.DecimalField(max_digits=14, decimal_places=0, read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "unit",
            "unit_label",
            "period",
            "status",
            "due_on",
            "subtotal",
            "tax",
            "total",
            "amount_paid",
            "balance_due",
            "paid_at",
            "issued_at",
            "cancelled_at",
            "cancel_reason",
            "lines",
        ]


class InvoiceListView(FilteredListView):
    """A resident's invoices (a manager's: all of them)."""

    serializer_class = InvoiceSerializer
    filter_serializer = InvoiceFilters

    def get_queryset(self):
        invoices = invoices_visible_to(self.request.user).prefetch_related("lines")
        return filter_invoices(invoices, self.filters)


class InvoiceDetailView(APIView):
    @extend_schema(responses={200: InvoiceSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(InvoiceSerializer(access_invoice(request.user, pk)).data)


class NewInvoiceSerializer(RejectUnknownFields, serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())
    period = serializers.RegexField(rf"^{PERIOD.pattern}$", max_length=7, help_text="YYYY-MM")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["unit"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
        return fields


class InvoicePdfView(APIView):
    """The invoice as a PDF: A4, with the total in words and a QR to its payment page."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        invoice = access_invoice(request.user, pk)
        return pdf_response(invoice_pdf(invoice), invoice.number)


class AdminInvoiceListView(InvoiceListView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=NewInvoiceSerializer, responses={201: InvoiceSerializer})
    def post(self, request: Request) -> Response:
        """Bill one unit for a month now (its tariffs and pending one-off charges)."""
        data = validated(NewInvoiceSerializer, request)
        period = call_service(parse_period, value=data["period"])
        invoice = call_service(bill_unit, unit=data["unit"], period=period, actor=user_of(request))
        return ok(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)


class InvoiceUpdateSerializer(RejectUnknownFields, serializers.Serializer):
    due_on = DayField(required=False)
    cancel_reason = serializers.CharField(max_length=300, required=False, allow_blank=False)


class AdminInvoiceDetailView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=InvoiceUpdateSerializer, responses={200: InvoiceSerializer})
    def put(self, request: Request, pk: int) -> Response:
        invoice = get_object_or_404(Invoice, pk=pk)
        data = validated(InvoiceUpdateSerializer, request)
        updated = call_service(update_invoice, invoice=invoice, actor=user_of(request), **data)
        return ok(InvoiceSerializer(updated).data)


class BillingRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillingRun
        fields = [
            "id",
            "period",
            "started_at",
            "finished_at",
            "units",
            "created",
            "skipped",
            "failed",
            "failures",
        ]


class BillingRunRequest(RejectUnknownFields, serializers.Serializer):
    period = serializers.RegexField(rf"^{PERIOD.pattern}$", max_length=7, help_text="YYYY-MM")


class ReachSerializer(serializers.Serializer):
    reached = serializers.IntegerField(help_text="recipients with a message on its way")
    by_channel = serializers.DictField(child=serializers.IntegerField())
    unreachable = serializers.IntegerField()
    reasons = serializers.DictField(child=serializers.IntegerField(), help_text="why, how many")
    summary = serializers.CharField(help_text="the same in one sentence, in the caller's language")


class RemindOverdueView(APIView):
    """Remind the billing contact of every unit with an overdue invoice, once per unit."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=None, responses={200: ReachSerializer})
    def post(self, request: Request) -> Response:
        reach = remind_overdue(actor=user_of(request))
        return ok(
            {
                "reached": reach.reached,
                "by_channel": dict(reach.by_channel),
                "unreachable": reach.unreachable,
                "reasons": dict(reach.reasons),
                "summary": describe_reach(reach),
            }
        )


class ReportView(APIView):
    """A financial report as JSON (money as strings), or as a CSV, XLSX or (the aging) PDF."""

    permission_classes = [IsPropertyManager]
    content_negotiation_class = FormatIsAFile

    @extend_schema(
        parameters=[ReportFilters],
        responses=json_or_files("text/csv", XLSX, "application/pdf"),
    )
    @replica_reads
    def get(self, request: Request, name: str) -> HttpResponse:
        if name not in reports.TITLES:
            raise NotFound
        filters = query(ReportFilters, request.query_params)
        if filters.get("format") == "pdf" and name != "aging":
            raise NotFound
        report = reports.build(name, filters)
        if filters.get("format"):
            return report_file(report, filters["format"])
        return ok(
            {
                "title": report.title,
                "columns": report.columns,
                "rows": [[_json(value) for value in row] for row in report.rows],
                "totals": [_json(value) for value in report.totals] if report.totals else None,
            }
        )


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


class BillingRunsView(ListAPIView):
    serializer_class = BillingRunSerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return BillingRun.objects.all()

    @extend_schema(request=BillingRunRequest, responses={201: BillingRunSerializer})
    def post(self, request: Request) -> Response:
        data = validated(BillingRunRequest, request)
        period = call_service(parse_period, value=data["period"])
        run = generate_invoices(period=period, actor=user_of(request))
        return ok(BillingRunSerializer(run).data, status=status.HTTP_201_CREATED)


# --- Tariffs, one-off charges, settings ----------------------------------------


class TariffSerializer(RejectUnknownFields, serializers.ModelSerializer):
    effective_from = MonthField()
    effective_to = MonthField(required=False, allow_null=True)
    rate = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))

    class Meta:
        model = Tariff
        fields = [
            "id",
            "charge",
            "basis",
            "rate",
            "unit_type",
            "is_taxable",
            "effective_from",
            "effective_to",
        ]


class TariffsView(ListAPIView):
    serializer_class = TariffSerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return Tariff.objects.all()

    @extend_schema(request=TariffSerializer, responses={201: TariffSerializer})
    def post(self, request: Request) -> Response:
        data = validated(TariffSerializer, request)
        tariff = call_service(save_tariff, actor=user_of(request), **data)
        return ok(TariffSerializer(tariff).data, status=status.HTTP_201_CREATED)


class TariffDetailView(APIView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=TariffSerializer, responses={200: TariffSerializer})
    def put(self, request: Request, pk: int) -> Response:
        tariff = get_object_or_404(Tariff, pk=pk)
        data = validated(TariffSerializer, request, tariff)
        call_service(save_tariff, actor=user_of(request), tariff=tariff, **data)
        return ok(TariffSerializer(tariff).data)


class TariffChangeSerializer(RejectUnknownFields, serializers.Serializer):
    from_month = MonthField()
    rate = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )


class TariffChangeView(APIView):
    """End a tariff before ``from_month``; with a ``rate``, go on from then at that rate."""

    permission_classes = [IsPropertyManager]

    @extend_schema(request=TariffChangeSerializer, responses={200: TariffSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        tariff = get_object_or_404(Tariff, pk=pk)
        data = validated(TariffChangeSerializer, request)
        new = call_service(
            change_tariff,
            tariff=tariff,
            from_month=data["from_month"],
            rate=data.get("rate"),
            actor=user_of(request),
        )
        tariff.refresh_from_db()
        return ok(TariffSerializer([tariff, new] if new else [tariff], many=True).data)


class OneOffChargeSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
    period = MonthField()
    invoice_number = serializers.CharField(source="invoice.number", read_only=True, allow_null=True)

    class Meta:
        model = OneOffCharge
        fields = [
            "id",
            "unit",
            "unit_label",
            "period",
            "description",
            "amount",
            "is_taxable",
            "invoice_number",
            "created_at",
        ]


class NewChargesSerializer(RejectUnknownFields, serializers.Serializer):
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(), many=True)
    period = serializers.RegexField(rf"^{PERIOD.pattern}$", max_length=7, help_text="YYYY-MM")
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=14, decimal_places=0)
    is_taxable = serializers.BooleanField(default=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["units"].child_relation.queryset = Unit.objects.all()  # type: ignore[attr-defined]
        return fields


class OneOffChargesView(ListAPIView):
    """One-off charges to chosen units, billed with their month's invoice."""

    serializer_class = OneOffChargeSerializer
    permission_classes = [IsPropertyManager]

    def get_queryset(self):
        return OneOffCharge.objects.select_related("unit", "invoice")

    @extend_schema(request=NewChargesSerializer, responses={201: OneOffChargeSerializer(many=True)})
    def post(self, request: Request) -> Response:
        data = validated(NewChargesSerializer, request)
        period = call_service(parse_period, value=data.pop("period"))
        charges = call_service(add_one_off_charges, actor=user_of(request), period=period, **data)
        return ok(OneOffChargeSerializer(charges, many=True).data, status=status.HTTP_201_CREATED)


class BillingSettingsSerializer(RejectUnknownFields, serializers.ModelSerializer):
    due_day = serializers.IntegerField(min_value=1, max_value=28)
    run_day = serializers.IntegerField(min_value=1, max_value=28, allow_null=True)
    grace_days = serializers.IntegerField(min_value=0, max_value=90)
    tax_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100)
    )
    tax_base_percent = serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=Decimal(0), max_value=Decimal(100)
    )
    late_fee_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100_000_000)
    )
    late_fee_cap = serializers.DecimalField(
        max_digits=14,
        decimal_places=0,
        min_value=Decimal(0),
        max_value=Decimal(100_000_000),
        allow_null=True,
    )
    remind_days_before = serializers.IntegerField(min_value=0, max_value=27)
    remind_days_after = serializers.IntegerField(min_value=0, max_value=60)

    class Meta:
        model = BillingSettings
        fields = list(SETTINGS_FIELDS)

    def validate_logo(self, logo: Any) -> Any:
        return check_photo(logo) if logo else logo


class BillingSettingsJson(BillingSettingsSerializer):
    """The same, in JSON: the logo is sent only in multipart."""

    class Meta(BillingSettingsSerializer.Meta):
        fields = [name for name in SETTINGS_FIELDS if name != "logo"]


class BillingSettingsView(APIView):
    permission_classes = [IsPropertyManager]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses={200: BillingSettingsSerializer})
    def get(self, request: Request) -> Response:
        settings = BillingSettings.current()
        return ok(BillingSettingsSerializer(settings, context={"request": request}).data)

    @extend_schema(
        request={
            "application/json": BillingSettingsJson,
            "multipart/form-data": BillingSettingsSerializer,
        },
        responses={200: BillingSettingsSerializer},
    )
    def patch(self, request: Request) -> Response:
        serializer = BillingSettingsSerializer(
            BillingSettings.current(), data=request.data, partial=True
        )
        serializer.is_valid(raise_exception=True)
        config = call_service(
            update_billing_settings,
            changes=dict(serializer.validated_data),
            actor=user_of(request),
        )
        answer = BillingSettingsSerializer(config, context={"request": request}).data
        return ok(answer, message=gettext("Settings saved."))


# --- Statements --------------------------------------------------------------------


class StatementEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(["invoice", "late_fee", "payment", "reversal", "refund"])
    reference = serializers.CharField()
    description = serializers.CharField()
    debit = serializers.DecimalField(max_digits=14, decimal_places=0)
    credit = serializers.DecimalField(max_digits=14, decimal_places=0)
    balance = serializers.DecimalField(max_digits=14, decimal_places=0)


class StatementSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.__str__")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    opening_balance = serializers.DecimalField(max_digits=14, decimal_places=0)
    entries = StatementEntrySerializer(many=True)
    closing_balance = serializers.DecimalField(
        max_digits=14,
        decimal_places=0,
        help_text="Above zero: owed; below zero: credit carried forward.",
    )


class StatementQuery(serializers.Serializer):
    start = DayField(required=False)
    end = DayField(required=False)


class StatementView(APIView):
    """A unit's statement of account: a resident's own units, any unit for a manager."""

    @extend_schema(parameters=[StatementQuery], responses={200: StatementSerializer})
    def get(self, request: Request, pk: int) -> Response:
        unit = access_unit(user_of(request), pk)
        query = StatementQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return ok(StatementSerializer(statement(unit, **query.validated_data)).data)
