"""Billing endpoints: residents' invoices, managers' invoices and billing runs."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts.permissions import IsPropertyManager
from klustera.api import RejectUnknownFields, call_service, ok, user_of, validated
from klustera.billing.models import BillingRun, Invoice, InvoiceLine
from klustera.billing.selectors import filter_invoices, invoices_visible_to
from klustera.billing.services import generate_invoices, parse_period, update_invoice


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["description", "quantity", "unit_price", "amount", "is_tax"]


class InvoiceSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
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
            "issued_at",
            "cancelled_at",
            "cancel_reason",
            "lines",
        ]


class InvoiceListView(ListAPIView):
    """A resident's invoices (a manager's: all of them)."""

    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return filter_invoices(invoices_visible_to(self.request.user), self.request.query_params)


class InvoiceDetailView(APIView):
    @extend_schema(responses={200: InvoiceSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return ok(
            InvoiceSerializer(get_object_or_404(invoices_visible_to(request.user), pk=pk)).data
        )


class AdminInvoiceListView(InvoiceListView):
    permission_classes = [IsPropertyManager]


class InvoiceUpdateSerializer(RejectUnknownFields, serializers.Serializer):
    due_on = serializers.DateField(required=False)
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
            "created",
            "skipped",
            "failed",
            "failures",
        ]


class BillingRunRequest(RejectUnknownFields, serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")


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
