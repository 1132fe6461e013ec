"""Payment endpoints: residents' payment history, managers' manual payments."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from klustera.accounts.permissions import IsPropertyManager
from klustera.api import RejectUnknownFields, call_service, ok, user_of, validated
from klustera.billing.documents import receipt_pdf
from klustera.billing.views import pdf_response
from klustera.estate.models import Unit
from klustera.payments.models import Allocation, Payment
from klustera.payments.selectors import payments_visible_to
from klustera.payments.services import record_payment


class AllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number")

    class Meta:
        model = Allocation
        fields = ["invoice", "invoice_number", "amount"]


class PaymentSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "receipt_number",
            "unit",
            "unit_label",
            "amount",
            "method",
            "channel",
            "reference",
            "paid_at",
            "note",
            "allocations",
        ]


class PaymentListView(ListAPIView):
    """A resident's payments (a manager's: all of them), newest first."""

    serializer_class = PaymentSerializer

    def get_queryset(self):
        payments = payments_visible_to(self.request.user)
        unit = self.request.query_params.get("unit")
        if unit:
            payments = payments.filter(unit_id=unit) if unit.isdigit() else payments.none()
        return payments


class ReceiptPdfView(APIView):
    """The receipt of a payment as a PDF."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        payment = get_object_or_404(payments_visible_to(request.user), pk=pk)
        return pdf_response(receipt_pdf(payment), payment.receipt_number)


class ManualPaymentSerializer(RejectUnknownFields, serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none())
    amount = serializers.DecimalField(max_digits=14, decimal_places=0)
    method = serializers.ChoiceField([Payment.Method.CASH, Payment.Method.BANK_TRANSFER])
    paid_at = serializers.DateTimeField(required=False)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["unit"].queryset = Unit.objects.all()  # type: ignore[attr-defined]
        return fields


class AdminPaymentsView(PaymentListView):
    permission_classes = [IsPropertyManager]

    @extend_schema(request=ManualPaymentSerializer, responses={201: PaymentSerializer})
    def post(self, request: Request) -> Response:
        """Record cash or a bank transfer received by the management office."""
        data = validated(ManualPaymentSerializer, request)
        payment = call_service(record_payment, actor=user_of(request), **data)
        return ok(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
